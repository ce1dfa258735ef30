import HealthConfig
import HealthCore
import HealthProtocols

/// `http`: one GET over a fresh connection with our HTTP/1.1 client; latency is the time to the
/// full response. The status must be one of `expect.status` (default 200–399).
final class HTTPAttempt: ProbeAttempt {
    private let connection: StreamConnection
    private let check: HTTPCheck
    private let request: [UInt8]
    private var parser: HTTPResponseParser

    /// `request` is encoded once per probe definition, not per attempt.
    init(context: ProbeContext, check: HTTPCheck, request: [UInt8]) {
        self.connection = StreamConnection(context: context)
        self.check = check
        self.request = request
        self.parser = HTTPResponseParser(maxBodyBytes: 64 * 1024, responseToHEAD: check.method == "HEAD")
    }

    static func encodeRequest(_ check: HTTPCheck) throws(HTTPRequestError) -> [UInt8] {
        let ep = check.endpoint
        return try HTTPRequest(method: check.method, target: ep.target, host: ep.host, port: Int(ep.port),
                               scheme: .http, headers: check.headers).encode()
    }

    func start(_ finish: @escaping (ProbeOutcome) -> Void) {
        // Weak: finishing releases the attempt while the connection is still unwinding.
        connection.onBytes = { [weak self] bytes in
            guard let self else { return false }
            do throws(HTTPParseError) {
                guard try parser.feed(bytes) == .complete, let response = parser.response else { return true }
                finish(judge(response))
            } catch {
                finish(.failure(ProbeFailure(.protocol, error.description)))
            }
            return false
        }
        connection.onClose = { [weak self] failure in
            guard let self else { return }
            if let failure { return finish(.failure(failure)) }
            do throws(HTTPParseError) { finish(judge(try parser.finish())) } catch {
                finish(.failure(ProbeFailure(.protocol, error.description)))
            }
        }
        connection.connect(host: check.endpoint.host, port: check.endpoint.port) { [weak self] failure in
            guard let self else { return }
            if let failure { return finish(.failure(failure)) }
            connection.send(request)
        }
    }

    func abort() { connection.close() }

    private func judge(_ response: HTTPResponse) -> ProbeOutcome {
        guard check.accepts(status: response.status) else {
            let expected = check.statuses.isEmpty ? "200-399" : check.statuses.map(String.init).joined(separator: ", ")
            return .failure(ProbeFailure(.assertion, "status \(response.status) \(response.reason), expected \(expected)"))
        }
        return .success(value: nil, reported: .healthy, message: "\(response.status) \(response.reason)")
    }
}
