import HealthCore

extension PostgresBackendMessage {
    /// `E`: fields, each a one-byte type and a string, ended by a zero byte.
    /// https://www.postgresql.org/docs/current/protocol-error-fields.html
    public struct ErrorResponse: Sendable, Hashable {
        public var fields: [UInt8: String]

        public init(fields: [UInt8: String]) { self.fields = fields }

        static func decode(_ reader: inout PostgresMessageReader) throws(PostgresError) -> Self {
            ErrorResponse(fields: try PostgresBackendMessage.decodeDiagnosticFields(&reader))
        }
    }

    /// Field type bytes of ErrorResponse and NoticeResponse.
    public enum DiagnosticField {
        /// `S`: localized severity.
        public static let localizedSeverity = UInt8(ascii: "S")
        /// `V`: severity, never localized (9.6+): ERROR, FATAL, PANIC, WARNING, NOTICE, …
        public static let severity = UInt8(ascii: "V")
        /// `C`: SQLSTATE.
        public static let sqlState = UInt8(ascii: "C")
        /// `M`: primary message.
        public static let message = UInt8(ascii: "M")
        /// `D`: detail.
        public static let detail = UInt8(ascii: "D")
        /// `H`: hint.
        public static let hint = UInt8(ascii: "H")
        /// `P`: cursor position in the query.
        public static let position = UInt8(ascii: "P")
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
    public var severity: String? {
        fields[PostgresBackendMessage.DiagnosticField.severity]
            ?? fields[PostgresBackendMessage.DiagnosticField.localizedSeverity]
    }
    public var sqlState: String? { fields[PostgresBackendMessage.DiagnosticField.sqlState] }
    public var message: String? { fields[PostgresBackendMessage.DiagnosticField.message] }
    public var detail: String? { fields[PostgresBackendMessage.DiagnosticField.detail] }
    public var hint: String? { fields[PostgresBackendMessage.DiagnosticField.hint] }
}
