import HealthConfig
import HealthCore
import HealthProtocols

/// `postgres`: startup, authentication, the value query (or `SELECT 1`), optionally the details
/// query, Terminate — driven by the pure `PostgresProbeSession` over a non-blocking connection.
final class PostgresAttempt: ProbeAttempt {
    private let connection: StreamConnection
    private let check: PostgresCheck
    private var session: PostgresProbeSession
    private var finish: ((ProbeOutcome) -> Void)?

    init(context: ProbeContext, check: PostgresCheck) {
        self.connection = StreamConnection(context: context)
        self.check = check
        self.session = PostgresProbeSession(configuration: PostgresConfiguration(
            user: check.user, password: check.password, database: check.database,
            sslMode: PostgresConfiguration.SSLMode(rawValue: check.sslMode.rawValue) ?? .prefer,
            query: check.query, detailsQuery: check.details?.query, detailsRowLimit: check.details?.limit ?? 10))
    }

    func start(_ finish: @escaping (ProbeOutcome) -> Void) {
        self.finish = finish
        connection.onBytes = { [weak self] bytes in
            guard let self else { return false }
            return handle(session.receive(bytes))
        }
        connection.onClose = { [weak self] failure in
            guard let self else { return }
            if let failure { return done(.failure(failure)) }
            _ = handle(session.connectionClosed())
        }
        connection.connect(host: check.endpoint.host, port: check.endpoint.port) { [weak self] failure in
            guard let self else { return }
            if let failure { return done(.failure(failure)) }
            _ = handle(session.start())
        }
    }

    func abort() { connection.close() }

    /// Carries out an action; false once the conversation is over.
    private func handle(_ action: PostgresProbeSession.Action) -> Bool {
        switch action {
        case .send(let bytes):
            connection.send(bytes)
            return true
        case .wait:
            return true
        case .finished(let result, let farewell):
            connection.send(farewell)
            done(outcome(result))
            return false
        case .failed(let error, let farewell):
            if !farewell.isEmpty { connection.send(farewell) }
            done(.failure(Self.failure(error)))
            return false
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

    private func done(_ outcome: ProbeOutcome) {
        connection.close()
        finish?(outcome)
        finish = nil
    }
}

/// Text cut to at most `limit` characters, the last an ellipsis when cut.
func truncated(_ text: String, to limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(max(limit - 1, 0))) + "…"
}
