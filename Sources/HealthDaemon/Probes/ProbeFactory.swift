import HealthConfig
import HealthCore

/// Makes one attempt of a configured probe. Requests that depend only on the definition are
/// encoded once and kept while the definition is unchanged.
final class ProbeFactory {
    private var requests: [String: (target: ProbeTarget, bytes: [UInt8])] = [:]

    func makeAttempt(_ probe: ProbeConfig, _ context: ProbeContext) -> ProbeAttempt {
        switch probe.target {
        case .tcp(let host, let port):
            return TCPAttempt(context: context, host: host, port: port)
        case .exec(let argv):
            return ExecAttempt(context: context, argv: argv)
        case .http(let check):
            return withRequest(probe, { try HTTPAttempt.encodeRequest(check) }) {
                HTTPAttempt(context: context, check: check, request: $0)
            }
        case .prometheus(let check):
            return withRequest(probe, { try PrometheusAttempt.encodeRequest(check, timeout: probe.timeout) }) {
                PrometheusAttempt(context: context, check: check, request: $0)
            }
        case .postgres(let check):
            return ConversationAttempt(context: context, host: check.endpoint.host, port: check.endpoint.port,
                                       tls: TLSPlan(settings: check.tls, atStart: false),
                                       conversation: PostgresConversation(check: check))
        case .redis(let check):
            return ConversationAttempt(context: context, host: check.endpoint.host, port: check.endpoint.port,
                                       tls: check.tls.map { TLSPlan(settings: $0, atStart: true) },
                                       conversation: RedisConversation(check: check))
        }
    }

    private func withRequest(_ probe: ProbeConfig, _ encode: () throws -> [UInt8],
                             _ make: ([UInt8]) -> ProbeAttempt) -> ProbeAttempt {
        if let cached = requests[probe.name], cached.target == probe.target { return make(cached.bytes) }
        do {
            let bytes = try encode()
            requests[probe.name] = (probe.target, bytes)
            return make(bytes)
        } catch {
            return FailedAttempt(ProbeFailure(.assertion, "cannot build the request: \(error)"))
        }
    }
}

/// An attempt that fails at once, for a definition that cannot run.
final class FailedAttempt: ProbeAttempt {
    private let failure: ProbeFailure
    init(_ failure: ProbeFailure) { self.failure = failure }
    func start(_ finish: @escaping (ProbeOutcome) -> Void) { finish(.failure(failure)) }
    func abort() {}
}
