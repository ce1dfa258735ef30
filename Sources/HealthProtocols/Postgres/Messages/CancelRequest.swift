extension PostgresFrontendMessage {
    /// Sent on a *new* connection, instead of a StartupMessage, to cancel the query running on the
    /// backend identified by BackendKeyData: Int32 length, Int32 80877102 (1234 << 16 | 5678),
    /// Int32 process ID, secret key. The server closes the connection without answering.
    public struct CancelRequest: Sendable, Hashable, CustomStringConvertible {
        public static let code: Int32 = 80_877_102

        public var processID: Int32
        public var secretKey: [UInt8]

        public init(processID: Int32, secretKey: [UInt8]) {
            self.processID = processID
            self.secretKey = secretKey
        }

        public func encoded() -> [UInt8] {
            PostgresFraming.frame(nil) { bytes in
                bytes.appendInt32(Self.code)
                bytes.appendInt32(processID)
                bytes.append(contentsOf: secretKey)
            }
        }

        public var description: String { "CancelRequest(process \(processID))" }
    }
}
