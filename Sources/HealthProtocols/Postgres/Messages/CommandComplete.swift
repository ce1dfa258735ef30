extension PostgresBackendMessage {
    /// `C`: the command tag, e.g. `SELECT 1`, `INSERT 0 1`, `SET`.
    package struct CommandComplete: Sendable, Hashable {
        package var tag: String

        package init(tag: String) { self.tag = tag }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            CommandComplete(tag: try reader.readCString("command tag"))
        }
    }
}
