extension PostgresFrontendMessage {
    /// `Q`: the SQL text (simple query protocol), NUL-terminated.
    public struct Query: Sendable, Hashable {
        public var sql: String

        public init(_ sql: String) { self.sql = sql }

        public func encoded() -> [UInt8] {
            PostgresFraming.frame(UInt8(ascii: "Q")) { $0.appendCString(sql) }
        }
    }
}
