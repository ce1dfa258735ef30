import Foundation
import HealthConfig
import HealthCore
import HealthProtocols

/// `prometheus`: an instant query (`GET /api/v1/query`) over our HTTP client, with the probe's
/// timeout sent as the query timeout too. A scalar or a one-series vector is the value; an
/// empty vector is "no data" (a failure only with `require_data`); more series is an error.
final class PrometheusAttempt: ProbeAttempt {
    private let exchange: HTTPExchange
    private let check: PrometheusCheck

    init(context: ProbeContext, check: PrometheusCheck, request: [UInt8]) {
        self.exchange = HTTPExchange(context: context, host: check.endpoint.host, port: check.endpoint.port,
                                     tls: check.tls, request: request, maxBody: 1 << 20)
        self.check = check
    }

    static func encodeRequest(_ check: PrometheusCheck, timeout: TimeSpan) throws(HTTPRequestError) -> [UInt8] {
        let ep = check.endpoint
        let base = ep.target.split(separator: "?").first.map { $0.hasSuffix("/") ? String($0.dropLast()) : String($0) } ?? ""
        let target = "\(base)/api/v1/query?query=\(percentEncoded(check.query))&timeout=\(timeout.description)"
        return try HTTPRequest(method: "GET", target: target, host: ep.host, port: Int(ep.port),
                               scheme: ep.scheme == "https" ? .https : .http).encode()
    }

    func start(_ finish: @escaping (ProbeOutcome) -> Void) {
        exchange.start { [check] result in
            switch result {
            case .failure(let f): finish(.failure(f))
            case .success(let response): finish(PrometheusAnswer.outcome(response, requireData: check.requireData))
            }
        }
    }

    func abort() { exchange.abort() }

    var connectionFacts: ConnectionFacts { exchange.connectionFacts }
}

/// Reads the query API's JSON answer.
enum PrometheusAnswer {
    static func outcome(_ response: HTTPResponse, requireData: Bool) -> ProbeOutcome {
        guard let doc = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] else {
            return .failure(ProbeFailure(.protocol, "HTTP \(response.status): the answer is not Prometheus API JSON"))
        }
        if doc["status"] as? String != "success" {
            let type = doc["errorType"] as? String ?? "error"
            return .failure(ProbeFailure(.protocol, "prometheus \(type): \((doc["error"] as? String)?.prefix(1024) ?? "HTTP \(response.status)")"))
        }
        guard let data = doc["data"] as? [String: Any], let type = data["resultType"] as? String else {
            return .failure(ProbeFailure(.protocol, "the answer has no data.resultType"))
        }
        switch type {
        case "scalar":
            return sampleValue(data["result"])
        case "vector":
            let series = data["result"] as? [[String: Any]] ?? []
            switch series.count {
            case 0:
                return requireData ? .failure(ProbeFailure(.assertion, "the query returned no series (require_data is set)"))
                    : .success(value: nil, reported: .healthy, message: "no data", noData: true)
            case 1:
                return sampleValue(series[0]["value"])
            default:
                return .failure(ProbeFailure(.protocol, "the query returned \(series.count) series; aggregate it to one (sum, max, avg …)"))
            }
        default:
            return .failure(ProbeFailure(.protocol, "the query returned a \(type); a probe needs a scalar or a one-series vector"))
        }
    }

    /// `[timestamp, "value"]`; Prometheus writes NaN and infinities as strings.
    private static func sampleValue(_ pair: Any?) -> ProbeOutcome {
        guard let p = pair as? [Any], p.count == 2, let text = p[1] as? String else {
            return .failure(ProbeFailure(.protocol, "a sample is not [time, \"value\"]"))
        }
        switch text {
        case "NaN": return .success(value: nil, reported: .healthy, message: "NaN", noData: true)
        case "+Inf": return .success(value: .infinity, reported: .healthy, message: nil)
        case "-Inf": return .success(value: -.infinity, reported: .healthy, message: nil)
        default:
            guard let v = Double(text) else { return .failure(ProbeFailure(.protocol, "\"\(text)\" is not a number")) }
            return .success(value: v, reported: .healthy, message: nil)
        }
    }
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
func percentEncoded(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.unicodeScalars.append(UnicodeScalar(b))
        default:
            out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16).uppercased()
        }
    }
    return out
}
