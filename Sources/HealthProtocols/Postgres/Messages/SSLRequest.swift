extension PostgresFrontendMessage {
    /// Int32 length 8, Int32 80877103 (1234 << 16 | 5679). No type byte. The server answers with a
    /// single unframed byte, `S` or `N` (`PostgresBackendMessage.SSLResponse`).
    package enum SSLRequest {
        package static let code: Int32 = 80_877_103

        package static func encoded() -> [UInt8] {
            PostgresFraming.frame(nil) { $0.appendInt32(code) }
        }
    }
}
