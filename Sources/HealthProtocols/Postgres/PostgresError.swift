// Errors of the PostgreSQL probe conversation and of value conversion.

/// Why a PostgreSQL conversation (or a value conversion) failed.
///
/// Never contains the password: it is built from server fields, message names, lengths and our own
/// wording only; `PostgresConnectionStateMachine` never formats credentials into text.
package struct PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Code: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Authentication failed: an ErrorResponse with SQLSTATE class 28 (`28P01` wrong password, `28000`
        /// no pg_hba.conf entry / role may not log in), any ErrorResponse while credentials were being
        /// exchanged, an unsupported authentication method, a missing password, or a failed SCRAM exchange
        /// (bad server nonce, wrong server signature, `e=` from the server).
        case auth
        /// The server reported an error (ErrorResponse) outside authentication: unknown database (`3D000`),
        /// syntax error (`42601`), too many connections (`53300`), starting up (`57P03`)…
        case server
        /// The bytes, or the order of the messages, break the protocol (garbage, oversized or negative
        /// lengths, malformed bodies, a message that is not expected at this point).
        case `protocol`
        /// The server answered `S` to SSLRequest (it wants TLS), and healthd does not speak TLS yet.
        case tlsRequired
        /// `sslmode=require`, and the server answered `N` (it does not support TLS).
        case tlsUnavailable
        /// The server closed the connection before the conversation was over.
        case connectionClosed
        /// A result value could not be read as a number.
        case notNumeric
        /// The configuration cannot be put on the wire (a NUL byte in a string, an invalid SCRAM nonce).
        case configuration

        package var description: String { rawValue }

        /// Words for messages: "authentication failed", "server error", …
        package var label: String {
            switch self {
            case .auth: "authentication failed"
            case .server: "server error"
            case .protocol: "protocol error"
            case .tlsRequired: "TLS required"
            case .tlsUnavailable: "TLS unavailable"
            case .connectionClosed: "connection closed"
            case .notNumeric: "not numeric"
            case .configuration: "invalid configuration"
            }
        }
    }

    package var code: Code
    /// SQLSTATE (field `C`) when the server sent an ErrorResponse.
    package var sqlState: String?
    /// Non-localized severity (field `V`, else the localized `S`): ERROR, FATAL, PANIC.
    package var severity: String?
    /// The primary message (field `M`), or our own description of the failure.
    package var message: String
    /// Field `D` of an ErrorResponse.
    package var detail: String?
    /// Field `H` of an ErrorResponse.
    package var hint: String?
    /// Where in the conversation it happened: "during authentication", "in the query", …
    /// (empty when the error comes from a codec used on its own).
    package var context: String

    package init(
        _ code: Code, _ message: String, sqlState: String? = nil, severity: String? = nil, detail: String? = nil,
        hint: String? = nil, context: String = ""
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.severity = severity
        self.detail = detail
        self.hint = hint
        self.context = context
    }

    /// `server error in the query: ERROR 42601: syntax error at or near "SELEC"; hint: …`
    package var description: String {
        var text = code.label
        if !context.isEmpty { text += " " + context }
        text += ": "
        let prefix = [severity, sqlState].compactMap { $0 }.joined(separator: " ")
        if !prefix.isEmpty { text += prefix + ": " }
        text += message
        if let detail { text += "; detail: " + detail }
        if let hint { text += "; hint: " + hint }
        return text
    }
}

extension PostgresError {
    /// A protocol violation (decoder or state machine).
    static func protocolViolation(_ message: String, context: String = "") -> PostgresError {
        PostgresError(.protocol, message, context: context)
    }
}
