extension PostgresBackendMessage {
    /// `N`: same body as ErrorResponse; a warning or notice that does not end anything.
    public struct NoticeResponse: Sendable, Hashable {
        public var fields: [UInt8: String]

        public init(fields: [UInt8: String]) { self.fields = fields }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            NoticeResponse(fields: try PostgresBackendMessage.decodeDiagnosticFields(&reader))
        }
    }
}
