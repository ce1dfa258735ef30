extension PostgresFrontendMessage {
    /// `p`: mechanism-specific data (SCRAM client-final-message), the rest of the message.
    /// Its description never shows the data (it holds the client proof).
    package struct SASLResponse: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
        CustomReflectable
    {
        package var data: [UInt8]

        package init(data: [UInt8]) { self.data = data }

        package func encoded() -> [UInt8] {
            PostgresFraming.frame(UInt8(ascii: "p")) { $0.append(contentsOf: data) }
        }

        package var description: String { "SASLResponse(\(data.count) bytes)" }
        package var debugDescription: String { description }
        package var customMirror: Mirror { Mirror(self, children: ["data": "<\(data.count) bytes>"]) }
    }
}
