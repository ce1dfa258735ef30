extension PostgresFrontendMessage {
    /// `X`, length 4: the polite goodbye before closing the connection.
    package enum Terminate {
        package static func encoded() -> [UInt8] {
            PostgresFraming.frame(UInt8(ascii: "X")) { _ in }
        }
    }
}
