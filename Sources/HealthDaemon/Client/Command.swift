import Foundation
import HealthCore

/// A healthctl command line, checked: the socket and what to do.
public struct Invocation: Equatable, Sendable {
    public var socket: String
    public var command: Command
}

public enum Command: Equatable, Sendable {
    case status(json: Bool)
    case snapshot
    case watch
    case probe(name: String, json: Bool)
    case history(HistoryArgs)
    case alerts(json: Bool)
    case silences(json: Bool)
    case audit(limit: Int, json: Bool)
    case run(probe: String)
    case silence(SilenceArgs)
    case unsilence(id: String)
    case reload
    case checkConfig(path: String)
    /// nil: the overview.
    case help(verb: String?)

    /// The verb's name, as the user typed it (for messages).
    public var verb: String {
        switch self {
        case .status: "status"
        case .snapshot: "snapshot"
        case .watch: "watch"
        case .probe: "probe"
        case .history: "history"
        case .alerts: "alerts"
        case .silences: "silences"
        case .audit: "audit"
        case .run: "run"
        case .silence: "silence"
        case .unsilence: "unsilence"
        case .reload: "reload"
        case .checkConfig: "check-config"
        case .help: "help"
        }
    }

    /// The request line for the socket; nil for commands that do not ask healthd.
    /// `user` fills the default reason of a silence.
    public func request(user: String) -> String? {
        let object: [String: Any]
        switch self {
        case .status, .snapshot: object = ["op": "snapshot"]
        case .watch: object = ["op": "subscribe"]
        case .probe(let name, _): object = ["op": "probe", "name": name]
        case .history(let h):
            var o: [String: Any] = ["op": "history", "probe": h.probe, "range": h.range, "series": h.series]
            if let step = h.step { o["step"] = step }
            object = o
        case .alerts: object = ["op": "alerts"]
        case .silences: object = ["op": "silences"]
        case .audit(let limit, _): object = ["op": "audit", "limit": limit]
        case .run(let probe): object = ["op": "run", "probe": probe]
        case .silence(let s): object = s.request(user: user)
        case .unsilence(let id): object = ["op": "unsilence", "id": id]
        case .reload: object = ["op": "reload"]
        case .checkConfig, .help: return nil
        }
        // Sorted keys: the same command always makes the same line (and tests can compare it).
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

public struct HistoryArgs: Equatable, Sendable {
    public var probe: String
    public var range = "24h"
    /// nil: the server picks the dashboard step for the range.
    public var step: String?
    public var series = "latency.p95"
    public var json = false

    public static let seriesNames = HistoryRequest.Series.allCases.map(\.rawValue)
}

public struct SilenceArgs: Equatable, Sendable {
    public var patterns: [String]
    /// Exactly one of `duration` and `until`.
    public var duration: String?
    public var until: String?
    public var start: String?
    /// nil: "set with healthctl by USER".
    public var reason: String?

    func request(user: String) -> [String: Any] {
        var o: [String: Any] = ["op": "silence", "match": patterns, "reason": reason ?? "set with healthctl by \(user)"]
        if let duration { o["duration"] = duration }
        if let until { o["end"] = until }
        if let start { o["start"] = start }
        return o
    }
}

/// A command line healthctl cannot run; `verb` points the user at that verb's help.
public struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var verb: String?

    public var description: String {
        message + "\n" + (verb.map { "see: healthctl \($0) --help" } ?? "see: healthctl --help")
    }
}
