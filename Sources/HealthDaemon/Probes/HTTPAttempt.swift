import HealthConfig
import HealthCore
import HealthProtocols

/// `http`: one GET over a fresh connection with our HTTP/1.1 client; latency is the time to the
/// full response. The status must be one of `expect.status` (default 200–399).
final class HTTPAttempt: ProbeAttempt {
    private let exchange: HTTPExchange
    private let check: HTTPCheck

    /// `request` is encoded once per probe definition, not per attempt.
    init(context: ProbeContext, check: HTTPCheck, request: [UInt8]) {
        self.exchange = HTTPExchange(context: context, host: check.endpoint.host, port: check.endpoint.port,
                                     request: request, head: check.method == "HEAD")
        self.check = check
    }

    static func encodeRequest(_ check: HTTPCheck) throws(HTTPRequestError) -> [UInt8] {
        let ep = check.endpoint
        return try HTTPRequest(method: check.method, target: ep.target, host: ep.host, port: Int(ep.port),
                               scheme: .http, headers: check.headers).encode()
    }

    func start(_ finish: @escaping (ProbeOutcome) -> Void) {
        exchange.start { [check] result in
            switch result {
            case .failure(let f): finish(.failure(f))
            case .success(let response): finish(Self.judge(response, check))
            }
        }
    }

    func abort() { exchange.abort() }

    private static func judge(_ response: HTTPResponse, _ check: HTTPCheck) -> ProbeOutcome {
        guard check.accepts(status: response.status) else {
            let expected = check.statuses.isEmpty ? "200-399" : check.statuses.map(String.init).joined(separator: ", ")
            return .failure(ProbeFailure(.assertion, "status \(response.status) \(response.reason), expected \(expected)"))
        }
        return .success(value: nil, reported: .healthy, message: "\(response.status) \(response.reason)")
    }
}
