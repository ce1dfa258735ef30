extension PostgresBackendMessage {
    /// `C`: the command tag, e.g. `SELECT 1`, `INSERT 0 1`, `SET`.
    public struct CommandComplete: Sendable, Hashable {
        public var tag: String

        public init(tag: String) { self.tag = tag }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            CommandComplete(tag: try reader.readCString("command tag"))
        }
    }
}
