extension PostgresFrontendMessage {
    /// `p`: mechanism-specific data (SCRAM client-final-message), the rest of the message.
    /// Its description never shows the data (it holds the client proof).
    public struct SASLResponse: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
        CustomReflectable
    {
        public var data: [UInt8]

        public init(data: [UInt8]) { self.data = data }

        public func encoded() -> [UInt8] {
            PostgresFraming.frame(UInt8(ascii: "p")) { $0.append(contentsOf: data) }
        }

        public var description: String { "SASLResponse(\(data.count) bytes)" }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["data": "<\(data.count) bytes>"]) }
    }
}
