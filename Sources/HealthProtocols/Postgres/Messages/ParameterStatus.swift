extension PostgresBackendMessage {
    /// `S`: a run-time parameter's name and current value (server_version, client_encoding, …).
    public struct ParameterStatus: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            ParameterStatus(
                name: try reader.readCString("parameter name"), value: try reader.readCString("parameter value"))
        }
    }
}
