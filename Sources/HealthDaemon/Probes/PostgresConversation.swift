import HealthConfig
import HealthCore
import HealthProtocols

/// `postgres`: startup, authentication, the value query (or `SELECT 1`), optionally the details
/// query, Terminate — the pure `PostgresProbeSession` turned into conversation steps.
struct PostgresConversation: ProbeConversation {
    private let check: PostgresCheck
    private var session: PostgresProbeSession

    init(check: PostgresCheck) {
        self.check = check
        self.session = PostgresProbeSession(configuration: PostgresConfiguration(
            user: check.user, password: check.password, database: check.database,
            sslMode: PostgresConfiguration.SSLMode(rawValue: check.sslMode.rawValue) ?? .prefer,
            query: check.query, detailsQuery: check.details?.query, detailsRowLimit: check.details?.limit ?? 10))
    }

    mutating func start() -> ConversationStep { step(session.start()) }
    mutating func receive(_ bytes: UnsafeRawBufferPointer) -> ConversationStep { step(session.receive(bytes)) }
    mutating func closed() -> ConversationStep { step(session.connectionClosed()) }

    private func step(_ action: PostgresProbeSession.Action) -> ConversationStep {
        switch action {
        case .send(let bytes): .send(bytes)
        case .wait: .wait
        case .finished(let result, let farewell): .done(outcome(result), farewell: farewell)
        case .failed(let error, let farewell): .done(.failure(Self.failure(error)), farewell: farewell)
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
