import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HealthConfig
import HealthCore
import HealthProtocols
import HealthSys

/// `http` with an `https://` URL: TLS is not ours to write, so this one request goes through
/// FoundationNetworking's URLSession (one long-lived session, redirects not followed), and its
/// answer is judged by the same expectations as plain HTTP. URLSession works on threads of its
/// own; the outcome is handed back to the loop.
final class HTTPSAttempt: ProbeAttempt {
    private let context: ProbeContext
    private let check: HTTPCheck
    private let timeout: TimeSpan
    private var task: URLSessionDataTask?

    init(context: ProbeContext, check: HTTPCheck, timeout: TimeSpan) {
        self.context = context
        self.check = check
        self.timeout = timeout
    }

    func start(_ finish: @escaping (ProbeOutcome) -> Void) {
        guard let request = HTTPSSession.request(check.endpoint, method: check.method, headers: check.headers, timeout: timeout) else {
            return finish(.failure(ProbeFailure(.assertion, "\(check.endpoint.redacted) is not a URL URLSession accepts")))
        }
        let started = monotonicNanos()
        let finishOnLoop = LoopBound(finish)
        let check = self.check
        let loop = context.loop
        task = HTTPSSession.shared.session.dataTask(with: request) { data, response, error in
            let outcome = Self.outcome(data: data, response: response, error: error, check: check,
                                       latencyMs: Double(monotonicNanos() - started) / 1e6)
            loop.execute { finishOnLoop.value(outcome) }
        }
        task?.resume()
    }

    /// The timeout: cancel the transfer; its late completion is ignored by the scheduler.
    func abort() { task?.cancel() }

    private static func outcome(data: Data?, response: URLResponse?, error: Error?, check: HTTPCheck,
                                latencyMs: Double) -> ProbeOutcome {
        if let error { return .failure(failure(error)) }
        guard let http = response as? HTTPURLResponse else {
            return .failure(ProbeFailure(.protocol, "the answer is not HTTP"))
        }
        let headers = http.allHeaderFields.compactMap { k, v in (k as? String).map { (name: $0, value: "\(v)") } }
        let body = Array((data ?? Data()).prefix(1 << 20))
        let parsed = HTTPResponse(version: .http1_1, status: http.statusCode,
                                  reason: HTTPURLResponse.localizedString(forStatusCode: http.statusCode),
                                  headers: headers, body: body, bodyTruncated: (data?.count ?? 0) > body.count,
                                  bodyLength: data?.count ?? 0, trailers: [])
        return HTTPExpectations.judge(parsed, check, latencyMs: latencyMs)
    }

    /// URLSession's errors in healthd's categories.
    static func failure(_ error: Error) -> ProbeFailure {
        let e = error as NSError
        let category: FailureCategory = switch URLError.Code(rawValue: e.code) {
        case .timedOut: .timeout
        case .cannotFindHost, .dnsLookupFailed: .dns
        case .cannotConnectToHost, .networkConnectionLost, .notConnectedToInternet: .refused
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected: .tls
        // libcurl's certificate and handshake errors reach us as code -1 with curl's own text.
        default: e.localizedDescription.contains("SSL") || e.localizedDescription.contains("certificate") ? .tls : .protocol
        }
        return ProbeFailure(category, e.localizedDescription)
    }
}

/// The one session every HTTPS probe shares: no cache, no cookies, redirects reported rather than followed.
final class HTTPSSession: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    static let shared = HTTPSSession()

    private(set) var session: URLSession!

    private override init() {
        super.init()
        let config = URLSessionConfiguration.ephemeral
        config.urlCache = nil
        config.httpShouldSetCookies = false
        config.httpMaximumConnectionsPerHost = 64
        session = URLSession(configuration: config, delegate: self, delegateQueue: nil)
    }

    /// A request to `ep` as URLSession wants it: no cache, our User-Agent, the given headers.
    static func request(_ ep: Endpoint, method: String, headers: [(String, String)], timeout: TimeSpan) -> URLRequest? {
        let host = ep.host.contains(":") ? "[\(ep.host)]" : ep.host
        guard let url = URL(string: "https://\(host):\(ep.port)\(ep.target)") else { return nil }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalAndRemoteCacheData, timeoutInterval: timeout.seconds)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.setValue("healthd/\(healthdVersion)", forHTTPHeaderField: "User-Agent")
        return request
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}

/// A value that may only be used on the event loop, carried through a `@Sendable` hop that ends there.
struct LoopBound<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
