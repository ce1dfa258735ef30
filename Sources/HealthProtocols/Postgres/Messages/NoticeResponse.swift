extension PostgresBackendMessage {
    /// `N`: same body as ErrorResponse; a warning or notice that does not end anything.
    package struct NoticeResponse: Sendable, Hashable {
        package var fields: [UInt8: String]

        package init(fields: [UInt8: String]) { self.fields = fields }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            NoticeResponse(fields: try PostgresBackendMessage.decodeDiagnosticFields(&reader))
        }
    }
}
