import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HealthConfig
import HealthCore
import HealthProtocols
import HealthSys

/// One JSON POST with a deadline, for webhooks and Alertmanager: plain HTTP over our own client,
/// HTTPS through the shared URLSession. `done` runs on the loop exactly once with the status code
/// or the failure. Loop-confined.
enum HTTPPost {
    static func send(_ body: [UInt8], to ep: Endpoint, headers: [(String, String)], timeout: TimeSpan,
                     context: ProbeContext, _ done: @escaping (Result<Int, ProbeFailure>) -> Void) {
        let loop = context.loop
        var finished = false
        var cancel: () -> Void = {}
        var timer: EventLoop.TimerID?
        let finish = { (r: Result<Int, ProbeFailure>) in
            guard !finished else { return }
            finished = true
            if let timer { loop.cancel(timer) }
            done(r)
        }
        let allHeaders = [("Content-Type", "application/json")] + headers
        if ep.scheme == "https" {
            cancel = https(body, to: ep, headers: allHeaders, timeout: timeout, loop: loop, finish)
        } else {
            let request: [UInt8]
            do throws(HTTPRequestError) {
                request = try HTTPRequest(method: "POST", target: ep.target, host: ep.host, port: Int(ep.port), scheme: .http,
                                          headers: allHeaders, body: body).encode()
            } catch {
                return finish(.failure(ProbeFailure(.protocol, error.description)))
            }
            let exchange = HTTPExchange(context: context, host: ep.host, port: ep.port, request: request)
            cancel = { exchange.abort() }
            exchange.start { result in finish(result.map(\.status)) }
        }
        // The timer holds the exchange until the answer or the deadline, whichever comes first.
        if !finished {
            timer = loop.schedule(at: monotonicNanos() + timeout.nanoseconds) {
                cancel()
                finish(.failure(ProbeFailure(.timeout, "no answer within \(timeout)")))
            }
        }
    }

    private static func https(_ body: [UInt8], to ep: Endpoint, headers: [(String, String)], timeout: TimeSpan,
                              loop: EventLoop, _ finish: @escaping (Result<Int, ProbeFailure>) -> Void) -> () -> Void {
        guard var request = HTTPSSession.request(ep, method: "POST", headers: headers, timeout: timeout) else {
            finish(.failure(ProbeFailure(.protocol, "\(ep.redacted) is not a URL URLSession accepts")))
            return {}
        }
        request.httpBody = Data(body)
        let onLoop = LoopBound(finish)
        let task = HTTPSSession.shared.session.dataTask(with: request) { _, response, error in
            let result: Result<Int, ProbeFailure> = if let error { .failure(HTTPSAttempt.failure(error)) }
                else { .success((response as? HTTPURLResponse)?.statusCode ?? 0) }
            loop.execute { onLoop.value(result) }
        }
        task.resume()
        return { task.cancel() }
    }
}
