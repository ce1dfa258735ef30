import HealthConfig
import HealthCore
import HealthProtocols
import HealthSys

/// One JSON POST with a deadline, for webhooks and Alertmanager, over our own HTTP client (HTTPS
/// with a fresh handshake each time, as the probes do). `done` runs on the loop exactly once with the status code
/// or the failure. Loop-confined.
enum HTTPPost {
    static func send(_ body: [UInt8], to ep: Endpoint, tls: TLSSettings?, headers: [(String, String)], timeout: TimeSpan,
                     context: ProbeContext, _ done: @escaping (Result<Int, ProbeFailure>) -> Void) {
        let loop = context.loop
        loop.assertInLoop("HTTPPost")
        var finished = false
        var timer: EventLoop.TimerID?
        let finish = { (r: Result<Int, ProbeFailure>) in
            guard !finished else { return }
            finished = true
            if let timer { loop.cancel(timer) }
            done(r)
        }
        let allHeaders = [("Content-Type", "application/json")] + headers
        let request: [UInt8]
        do throws(HTTPRequestError) {
            request = try HTTPRequest(method: "POST", target: ep.target, host: ep.host, port: Int(ep.port),
                                      scheme: ep.scheme == "https" ? .https : .http, headers: allHeaders, body: body).encode()
        } catch {
            return finish(.failure(ProbeFailure(.protocol, error.description)))
        }
        let exchange = HTTPExchange(context: context, host: ep.host, port: ep.port,
                                    tls: ep.scheme == "https" ? tls ?? TLSSettings() : nil, request: request)
        let cancel = { exchange.abort() }
        exchange.start { result in finish(result.map(\.status)) }
        // The timer holds the exchange until the answer or the deadline, whichever comes first.
        if !finished {
            timer = loop.schedule(at: monotonicNanos() + timeout.nanoseconds) {
                cancel()
                finish(.failure(ProbeFailure(.timeout, "no answer within \(timeout)")))
            }
        }
    }
}

extension HTTPPost {
    /// What went wrong with a post, for the audit log: nil for a 2xx answer.
    static func error(of result: Result<Int, ProbeFailure>) -> String? {
        switch result {
        case .success(let status) where (200..<300).contains(status): nil
        case .success(let status): "HTTP \(status)"
        case .failure(let f): "\(f.category.rawValue): \(f.message)"
        }
    }
}
