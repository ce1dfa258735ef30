import HealthConfig
import HealthCore

/// Makes one attempt of a configured probe. Per-definition work (encoding the HTTP request)
/// is done once and cached by definition.
final class ProbeFactory {
    private var httpRequests: [String: (HTTPCheck, [UInt8])] = [:]

    func makeAttempt(_ probe: ProbeConfig, _ context: ProbeContext) -> ProbeAttempt {
        switch probe.target {
        case .tcp(let host, let port):
            return TCPAttempt(context: context, host: host, port: port)
        case .exec(let argv):
            return ExecAttempt(context: context, argv: argv)
        case .http(let check):
            if let cached = httpRequests[probe.name], cached.0 == check {
                return HTTPAttempt(context: context, check: check, request: cached.1)
            }
            do {
                let request = try HTTPAttempt.encodeRequest(check)
                httpRequests[probe.name] = (check, request)
                return HTTPAttempt(context: context, check: check, request: request)
            } catch {
                return FailedAttempt(ProbeFailure(.assertion, "cannot build the request: \(error)"))
            }
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
