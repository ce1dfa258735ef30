import Foundation
import HealthCore

/// One line from a client, parsed. Unknown ops and malformed JSON become errors the client can read.
enum APIRequest: Equatable {
    case snapshot
    case subscribe
    /// One probe in full, details rows included.
    case probe(String)
    case history(HistoryRequest)

    struct Invalid: Error, Equatable { var message: String }

    static let ops = ["snapshot", "subscribe", "probe", "history"]

    init(line: ArraySlice<UInt8>) throws(Invalid) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line))
        } catch {
            throw Invalid(message: "request is not valid JSON; send one object per line, e.g. {\"op\":\"snapshot\"}")
        }
        guard let dict = object as? [String: Any] else { throw Invalid(message: "request must be a JSON object with an \"op\"") }
        guard let op = dict["op"] as? String else { throw Invalid(message: "request has no \"op\" string (ops: \(Self.ops.joined(separator: ", ")))") }
        switch op {
        case "snapshot": self = .snapshot
        case "subscribe": self = .subscribe
        case "probe":
            guard let name = dict["name"] as? String else { throw Invalid(message: "probe needs \"name\"") }
            self = .probe(name)
        case "history":
            self = .history(try Self.history(dict))
        default: throw Invalid(message: "unknown op \"\(op)\" (ops: \(Self.ops.joined(separator: ", ")))")
        }
    }
}

extension APIRequest {
    /// `{"op":"history","probe":"api","range":"24h","step":"15m","series":"latency.p95"}`; step and series optional.
    static func history(_ dict: [String: Any]) throws(Invalid) -> HistoryRequest {
        guard let probe = dict["probe"] as? String else { throw Invalid(message: "history needs \"probe\"") }
        guard let rangeText = dict["range"] as? String ?? Optional("24h"), let range = TimeSpan(parsing: rangeText) else {
            throw Invalid(message: "history \"range\" is not a duration (1h, 6h, 24h, 7d …)")
        }
        var step: TimeSpan?
        if let text = dict["step"] as? String {
            guard let s = TimeSpan(parsing: text) else { throw Invalid(message: "history \"step\" is not a duration (1m, 5m, 15m, 1h …)") }
            step = s
        }
        var series: HistoryRequest.Series?
        if let text = dict["series"] as? String {
            guard let s = HistoryRequest.Series(rawValue: text) else {
                throw Invalid(message: "history \"series\" is one of \(HistoryRequest.Series.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            series = s
        }
        do {
            return try HistoryRequest(probe: probe, range: range, step: step, series: series)
        } catch {
            throw Invalid(message: "history: \(error.message)")
        }
    }
}

/// `{"error": "…"}` as one line.
func errorLine(_ message: String) -> [UInt8] {
    let data = (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data("{\"error\":\"internal\"}".utf8)
    return Array(data) + [10]
}
