extension PostgresFrontendMessage {
    /// Sent on a *new* connection, instead of a StartupMessage, to cancel the query running on the
    /// backend identified by BackendKeyData: Int32 length, Int32 80877102 (1234 << 16 | 5678),
    /// Int32 process ID, secret key. The server closes the connection without answering.
    package struct CancelRequest: Sendable, Hashable, CustomStringConvertible {
        package static let code: Int32 = 80_877_102

        package var processID: Int32
        package var secretKey: [UInt8]

        package init(processID: Int32, secretKey: [UInt8]) {
            self.processID = processID
            self.secretKey = secretKey
        }

        package func encoded() -> [UInt8] {
            PostgresFraming.frame(nil) { bytes in
                bytes.appendInt32(Self.code)
                bytes.appendInt32(processID)
                bytes.append(contentsOf: secretKey)
            }
        }

        package var description: String { "CancelRequest(process \(processID))" }
    }
}
