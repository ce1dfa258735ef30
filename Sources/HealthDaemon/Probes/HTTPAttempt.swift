import HealthConfig
import HealthCore
import HealthProtocols
import HealthSys

/// `http` and `https`: one GET over a fresh connection (and a full handshake, so every attempt
/// proves the certificate) with our HTTP/1.1 client; latency is the time to the full response,
/// which must meet `expect` (status, by default 200–399; body; JSON; latency).
final class HTTPAttempt: ProbeAttempt {
    private let exchange: HTTPExchange
    private let check: HTTPCheck

    /// `request` is encoded once per probe definition, not per attempt.
    init(context: ProbeContext, check: HTTPCheck, request: [UInt8]) {
        self.exchange = HTTPExchange(context: context, host: check.endpoint.host, port: check.endpoint.port,
                                     tls: check.tls, request: request, head: check.method == "HEAD")
        self.check = check
    }

    static func encodeRequest(_ check: HTTPCheck) throws(HTTPRequestError) -> [UInt8] {
        let ep = check.endpoint
        return try HTTPRequest(method: check.method, target: ep.target, host: ep.host, port: Int(ep.port),
                               scheme: ep.scheme == "https" ? .https : .http, headers: check.headers).encode()
    }

    func start(_ finish: @escaping (ProbeOutcome) -> Void) {
        let started = monotonicNanos()
        exchange.start { [check] result in
            switch result {
            case .failure(let f): finish(.failure(f))
            case .success(let response):
                finish(HTTPExpectations.judge(response, check, latencyMs: Double(monotonicNanos() - started) / 1e6))
            }
        }
    }

    func abort() { exchange.abort() }

    var connectionFacts: ConnectionFacts { exchange.connectionFacts }
}
