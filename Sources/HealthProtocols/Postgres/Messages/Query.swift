extension PostgresFrontendMessage {
    /// `Q`: the SQL text (simple query protocol), NUL-terminated.
    package struct Query: Sendable, Hashable {
        package var sql: String

        package init(_ sql: String) { self.sql = sql }

        package func encoded() -> [UInt8] {
            PostgresFraming.frame(UInt8(ascii: "Q")) { $0.appendCString(sql) }
        }
    }
}
