// Messages from the client (frontend). Encoding cannot fail: strings that would need a NUL byte are
// refused before they get here (`PostgresConfiguration.validate()`).

package enum PostgresFrontendMessage: Sendable, Equatable, CustomStringConvertible {
    case sslRequest
    case startup(StartupMessage)
    case password(PasswordMessage)
    case saslInitialResponse(SASLInitialResponse)
    case saslResponse(SASLResponse)
    case query(Query)
    case terminate

    /// The bytes to write to the socket.
    package func encoded() -> [UInt8] {
        switch self {
        case .sslRequest: SSLRequest.encoded()
        case .startup(let message): message.encoded()
        case .password(let message): message.encoded()
        case .saslInitialResponse(let message): message.encoded()
        case .saslResponse(let message): message.encoded()
        case .query(let message): message.encoded()
        case .terminate: Terminate.encoded()
        }
    }

    /// The message's name only: never its content (it may be a password or a SCRAM proof).
    package var description: String {
        switch self {
        case .sslRequest: "SSLRequest"
        case .startup: "StartupMessage"
        case .password: "PasswordMessage"
        case .saslInitialResponse: "SASLInitialResponse"
        case .saslResponse: "SASLResponse"
        case .query: "Query"
        case .terminate: "Terminate"
        }
    }
}
