extension PostgresBackendMessage {
    /// `S`: a run-time parameter's name and current value (server_version, client_encoding, …).
    package struct ParameterStatus: Sendable, Hashable {
        package var name: String
        package var value: String

        package init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            ParameterStatus(
                name: try reader.readCString("parameter name"), value: try reader.readCString("parameter value"))
        }
    }
}
