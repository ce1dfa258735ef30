import HealthCore

extension PostgresBackendMessage {
    /// `E`: fields, each a one-byte type and a string, ended by a zero byte.
    /// https://www.postgresql.org/docs/current/protocol-error-fields.html
    package struct ErrorResponse: Sendable, Hashable {
        package var fields: [UInt8: String]

        package init(fields: [UInt8: String]) { self.fields = fields }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            ErrorResponse(fields: try PostgresBackendMessage.decodeDiagnosticFields(&reader))
        }
    }

    /// Field type bytes of ErrorResponse and NoticeResponse.
    package enum DiagnosticField {
        /// `S`: localized severity.
        package static let localizedSeverity = UInt8(ascii: "S")
        /// `V`: severity, never localized (9.6+): ERROR, FATAL, PANIC, WARNING, NOTICE, …
        package static let severity = UInt8(ascii: "V")
        /// `C`: SQLSTATE.
        package static let sqlState = UInt8(ascii: "C")
        /// `M`: primary message.
        package static let message = UInt8(ascii: "M")
        /// `D`: detail.
        package static let detail = UInt8(ascii: "D")
        /// `H`: hint.
        package static let hint = UInt8(ascii: "H")
        /// `P`: cursor position in the query.
        package static let position = UInt8(ascii: "P")
    }

    static func decodeDiagnosticFields(_ reader: inout PostgresMessageReader) throws(PostgresError) -> [UInt8: String] {
        var fields: [UInt8: String] = [:]
        while true {
            let type = try reader.readUInt8("field type")
            if type == 0 { return fields }
            // A server's words are capped where they enter: one huge message must not travel on.
            fields[type] = PeerText.capped(try reader.readCString("field '\(Character(Unicode.Scalar(type)))'"))
        }
    }
}

extension PostgresBackendMessage.ErrorResponse {
    /// `V`, else `S`.
    package var severity: String? {
        fields[PostgresBackendMessage.DiagnosticField.severity]
            ?? fields[PostgresBackendMessage.DiagnosticField.localizedSeverity]
    }
    package var sqlState: String? { fields[PostgresBackendMessage.DiagnosticField.sqlState] }
    package var message: String? { fields[PostgresBackendMessage.DiagnosticField.message] }
    package var detail: String? { fields[PostgresBackendMessage.DiagnosticField.detail] }
    package var hint: String? { fields[PostgresBackendMessage.DiagnosticField.hint] }
}
