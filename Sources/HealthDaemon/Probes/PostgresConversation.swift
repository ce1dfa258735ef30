import HealthConfig
import HealthCore
import HealthProtocols
import HealthTLS

/// `postgres`: startup (over TLS as `sslmode` says), authentication, the value query (or
/// `SELECT 1`) read-only, optionally the details query, Terminate — the pure
/// `PostgresProbeSession` turned into conversation steps. The connection attempts follow libpq:
/// `prefer` tries TLS, then plain text if the handshake fails or the server turns the TLS login
/// away; `allow` tries plain text, then TLS if the server turns that away.
struct PostgresConversation: ProbeConversation {
    private let check: PostgresCheck
    private var session: PostgresProbeSession
    private var fellBack = false

    init(check: PostgresCheck) {
        self.check = check
        self.session = Self.session(check, transport: Self.firstTransport(check.sslMode))
    }

    static func firstTransport(_ mode: PostgresCheck.SSLMode) -> PostgresConfiguration.Transport {
        switch mode {
        case .disable, .allow: .plain
        case .prefer: .negotiateTLS(fallbackToPlain: true)
        case .require, .verifyCA, .verifyFull: .negotiateTLS(fallbackToPlain: false)
        }
    }

    static func session(_ check: PostgresCheck, transport: PostgresConfiguration.Transport) -> PostgresProbeSession {
        PostgresProbeSession(configuration: PostgresConfiguration(
            user: check.user, password: check.password, database: check.database, transport: transport,
            channelBinding: check.channelBinding, authPolicy: check.authPolicy,
            query: check.query, detailsQuery: check.details?.query, detailsRowLimit: check.details?.limit ?? 10))
    }

    mutating func start() -> ConversationStep { step(session.start()) }
    mutating func receive(_ bytes: UnsafeRawBufferPointer) -> ConversationStep { step(session.receive(bytes)) }
    mutating func closed() -> ConversationStep { step(session.connectionClosed()) }

    mutating func tlsEstablished(_ certificate: TLSClientSession.ServerCertificate?) -> ConversationStep {
        step(session.tlsEstablished(endPointHash: certificate.flatMap(Self.endPointHash)))
    }

    mutating func tlsFailed(_ failure: ProbeFailure) -> ConversationStep {
        guard check.sslMode == .prefer, !fellBack else { return .done(.failure(failure)) }
        return fallBack(to: .plain)
    }

    /// RFC 5929: the certificate hashed with its signature's hash; nil where we have no such hash
    /// (then SCRAM runs without binding, which `channel_binding=require` refuses).
    static func endPointHash(_ cert: TLSClientSession.ServerCertificate) -> [UInt8]? {
        switch cert.hash {
        case .sha256: SHA256.hash(cert.der)
        case .sha384, .sha512, .unsupported: nil
        }
    }

    private mutating func fallBack(to transport: PostgresConfiguration.Transport) -> ConversationStep {
        fellBack = true
        session = Self.session(check, transport: transport)
        return .retry
    }

    private mutating func step(_ action: PostgresProbeSession.Action) -> ConversationStep {
        switch action {
        case .send(let bytes): return .send(bytes)
        case .wait: return .wait
        case .startTLS: return .startTLS
        case .finished(let result, let farewell): return .done(outcome(result), farewell: farewell)
        case .failed(let error, let farewell):
            if !fellBack, session.stateMachine.loginRejected {
                if check.sslMode == .prefer, session.stateMachine.overTLS { return fallBack(to: .plain) }
                if check.sslMode == .allow, !session.stateMachine.overTLS { return fallBack(to: .negotiateTLS(fallbackToPlain: false)) }
            }
            return .done(.failure(Self.failure(error)), farewell: farewell)
        }
    }

    private func outcome(_ result: PostgresResult) -> ProbeOutcome {
        let details = check.details.map { d in
            result.details.map { row in
                DetailRow(fields: row.map { DetailRow.Field(name: $0.column, value: $0.value.map { truncated($0, to: d.truncate) }) })
            }
        }
        guard check.query != nil else { return .success(ProbeReading(details: details)) }
        switch result.numericValue() {
        case .failure(let error):
            return .failure(Self.failure(error))
        case .success(let value):
            let message = value == nil ? (result.hasRows ? "NULL" : "no rows") : nil
            return .success(ProbeReading(value: value, message: message, noData: value == nil, details: details))
        }
    }

    static func failure(_ error: PostgresError) -> ProbeFailure {
        let category: FailureCategory = switch error.code {
        case .auth: .auth
        case .tlsRequired, .tlsUnavailable: .tls
        default: .protocol
        }
        return ProbeFailure(category, error.description)
    }
}

/// Text cut to at most `limit` characters, the last an ellipsis when cut.
func truncated(_ text: String, to limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(max(limit - 1, 0))) + "…"
}
