import Foundation
import HealthCore

/// The socket's ops, by the name they have on the wire: the one list the server, the client and
/// the help text go by.
package enum APIOp: String, CaseIterable, Sendable {
    case snapshot, subscribe, probe, history, alerts, silences, audit
    // Admin ops: they act, so only admins may send them, and each is audited.
    case run, silence, unsilence, reload

    package var isAdmin: Bool {
        switch self {
        case .run, .silence, .unsilence, .reload: true
        default: false
        }
    }

    package static let names = allCases.map(\.rawValue).joined(separator: ", ")
}

/// One request line, as the client sends it and the server reads it. Unknown ops and malformed
/// JSON become errors the client can read.
package enum APIRequest: Equatable, Sendable {
    case snapshot
    case subscribe
    /// One probe in full, details rows included.
    case probe(String)
    case history(HistoryQuery)
    /// The alerts firing now.
    case alerts
    case silences
    /// The last `limit` audit entries.
    case audit(limit: Int)
    // Admin ops: they act, so only admins may send them, and each is audited.
    case run(probe: String)
    case silence(SilenceRequest)
    case unsilence(id: String)
    case reload

    package struct Invalid: Error, Equatable { package var message: String; package init(message: String) { self.message = message } }

    package var isAdmin: Bool { op.isAdmin }

    /// What the op acts on, for the audit log.
    package var details: String {
        switch self {
        case .run(let probe): "probe \(probe)"
        case .silence(let r): "match \(r.matchers.joined(separator: ",")) reason \(r.reason)"
        case .unsilence(let id): "silence \(id)"
        case .probe(let name): "probe \(name)"
        case .history(let h): "probe \(h.probe)"
        default: ""
        }
    }

    package var op: APIOp {
        switch self {
        case .snapshot: .snapshot
        case .subscribe: .subscribe
        case .probe: .probe
        case .history: .history
        case .alerts: .alerts
        case .silences: .silences
        case .audit: .audit
        case .run: .run
        case .silence: .silence
        case .unsilence: .unsilence
        case .reload: .reload
        }
    }

    /// The request as one line (without its newline). Keys are sorted: the same request always
    /// makes the same line.
    package var line: String {
        var object: [String: Any] = ["op": op.rawValue]
        switch self {
        case .snapshot, .subscribe, .alerts, .silences, .reload: break
        case .probe(let name): object["name"] = name
        case .history(let h):
            object["probe"] = h.probe
            object["range"] = h.range.description
            if let step = h.step { object["step"] = step.description }
            if let series = h.series { object["series"] = series.rawValue }
        case .audit(let limit): object["limit"] = limit
        case .run(let probe): object["probe"] = probe
        case .silence(let s):
            object["match"] = s.matchers
            object["reason"] = s.reason
            if let d = s.duration { object["duration"] = d.description }
            if let t = s.start { object["start"] = wireTime(t) }
            if let t = s.end { object["end"] = wireTime(t) }
        case .unsilence(let id): object["id"] = id
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    package init(line: ArraySlice<UInt8>) throws(Invalid) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line))
        } catch {
            throw Invalid(message: "request is not valid JSON; send one object per line, e.g. {\"op\":\"snapshot\"}")
        }
        guard let dict = object as? [String: Any] else { throw Invalid(message: "request must be a JSON object with an \"op\"") }
        guard let op = dict["op"] as? String else { throw Invalid(message: "request has no \"op\" string (ops: \(APIOp.names))") }
        switch op {
        case "snapshot": self = .snapshot
        case "subscribe": self = .subscribe
        case "probe":
            guard let name = dict["name"] as? String else { throw Invalid(message: "probe needs \"name\"") }
            self = .probe(name)
        case "history":
            let query = try HistoryQuery(dict)
            _ = try query.resolved()
            self = .history(query)
        case "alerts": self = .alerts
        case "silences": self = .silences
        case "audit":
            let limit = dict["limit"] as? Int ?? 20
            guard (1...1000).contains(limit) else { throw Invalid(message: "audit \"limit\" is 1…1000") }
            self = .audit(limit: limit)
        case "run":
            guard let name = dict["probe"] as? String else { throw Invalid(message: "run needs \"probe\"") }
            self = .run(probe: name)
        case "silence": self = .silence(try SilenceRequest(dict))
        case "unsilence":
            guard let id = dict["id"] as? String else { throw Invalid(message: "unsilence needs \"id\" (see the silences op)") }
            self = .unsilence(id: id)
        case "reload": self = .reload
        default: throw Invalid(message: "unknown op \"\(op)\" (ops: \(APIOp.names))")
        }
    }
}

/// `{"op":"history","probe":"api","range":"24h","step":"15m","series":"latency.p95"}`; step and
/// series optional. The server resolves it to a `HistoryRequest` (its step and point count checked).
package struct HistoryQuery: Equatable, Sendable {
    package var probe: String
    package var range: TimeSpan
    /// nil: the server picks the dashboard step for the range.
    package var step: TimeSpan?
    /// nil: every series.
    package var series: HistoryRequest.Series?

    package init(probe: String, range: TimeSpan = .hours(24), step: TimeSpan? = nil, series: HistoryRequest.Series? = nil) {
        (self.probe, self.range, self.step, self.series) = (probe, range, step, series)
    }

    init(_ dict: [String: Any]) throws(APIRequest.Invalid) {
        typealias Invalid = APIRequest.Invalid
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
        self.init(probe: probe, range: range, step: step, series: series)
    }

    /// The points asked for, checked: at most `HistoryRequest.maxPoints`.
    package func resolved() throws(APIRequest.Invalid) -> HistoryRequest {
        do {
            return try HistoryRequest(probe: probe, range: range, step: step, series: series)
        } catch {
            throw APIRequest.Invalid(message: "history: \(error.message)")
        }
    }
}

/// `{"op":"silence","match":["redis*"],"duration":"2h","reason":"upgrade"}`, or `"end"` (and an
/// optional `"start"`) as ISO 8601 times instead of a duration.
package struct SilenceRequest: Equatable, Sendable {
    package var matchers: [String]
    package var start: Timestamp?
    package var end: Timestamp?
    package var duration: TimeSpan?
    package var reason: String

    /// Exactly one of `end` and `duration`; the server checks the rest.
    package init(matchers: [String], start: Timestamp? = nil, end: Timestamp? = nil, duration: TimeSpan? = nil, reason: String) {
        (self.matchers, self.start, self.end, self.duration, self.reason) = (matchers, start, end, duration, reason)
    }

    package init(_ dict: [String: Any]) throws(APIRequest.Invalid) {
        guard let match = dict["match"] as? [String], !match.isEmpty, match.allSatisfy({ !$0.isEmpty }) else {
            throw APIRequest.Invalid(message: "silence needs \"match\": a list of probe or component names or globs")
        }
        guard let reason = dict["reason"] as? String, !reason.isEmpty else {
            throw APIRequest.Invalid(message: "silence needs a \"reason\" (it is shown and audited)")
        }
        (matchers, self.reason) = (match, reason)
        func time(_ key: String) throws(APIRequest.Invalid) -> Timestamp? {
            guard let text = dict[key] as? String else { return nil }
            guard let t = Timestamp(iso8601: text) else { throw APIRequest.Invalid(message: "silence \"\(key)\" is not a time (2026-11-22T10:00:00Z)") }
            return t
        }
        start = try time("start")
        end = try time("end")
        if let text = dict["duration"] as? String {
            guard let d = TimeSpan(parsing: text), d.nanoseconds > 0 else {
                throw APIRequest.Invalid(message: "silence \"duration\" is not a duration (30m, 2h, 1d)")
            }
            duration = d
        }
        guard (end == nil) != (duration == nil) else { throw APIRequest.Invalid(message: "silence needs either \"duration\" or \"end\"") }
        if let duration, duration > .days(366) { throw APIRequest.Invalid(message: "silence \"duration\" is at most a year") }
    }

    /// The window it covers, starting now unless a start was given; refused when it is over before it
    /// begins, already over, or ends after `Silence.latestEnd`.
    package func window(now: Timestamp) throws(APIRequest.Invalid) -> (start: Timestamp, end: Timestamp) {
        let from = start ?? now
        let to = end ?? from + (duration ?? TimeSpan(nanoseconds: 0))
        guard to > now, to > from else { throw APIRequest.Invalid(message: "silence ends before it starts or in the past") }
        guard to <= Silence.latestEnd else {
            throw APIRequest.Invalid(message: "silence would end after \(Silence.latestEnd.iso8601()); give an earlier end")
        }
        return (from, to)
    }
}

/// A time as the wire carries it: whole seconds unless it has a fraction.
private func wireTime(_ t: Timestamp) -> String { t.iso8601(fractional: t.nanoseconds % 1_000_000_000 != 0) }
