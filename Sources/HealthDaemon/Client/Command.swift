import HealthAPI
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
    public func request(user: String) -> String? { apiRequest(user: user)?.line }

    /// The request for the socket; nil for commands that do not ask healthd.
    func apiRequest(user: String) -> APIRequest? {
        switch self {
        case .status, .snapshot: .snapshot
        case .watch: .subscribe
        case .probe(let name, _): .probe(name)
        case .history(let h): .history(HistoryQuery(probe: h.probe, range: h.range, step: h.step, series: h.series))
        case .alerts: .alerts
        case .silences: .silences
        case .audit(let limit, _): .audit(limit: limit)
        case .run(let probe): .run(probe: probe)
        case .silence(let s): .silence(s.request(user: user))
        case .unsilence(let id): .unsilence(id: id)
        case .reload: .reload
        case .checkConfig, .help: nil
        }
    }
}

public struct HistoryArgs: Equatable, Sendable {
    public var probe: String
    public var range = TimeSpan.hours(24)
    /// nil: the server picks the dashboard step for the range.
    public var step: TimeSpan?
    public var series = HistoryRequest.Series.latencyP95
    public var json = false

    public static let seriesNames = HistoryRequest.Series.allCases.map(\.rawValue)
}

public struct SilenceArgs: Equatable, Sendable {
    public var patterns: [String]
    /// Exactly one of `duration` and `until`.
    public var duration: TimeSpan?
    public var until: Timestamp?
    public var start: Timestamp?
    /// nil: "set with healthctl by USER".
    public var reason: String?

    func request(user: String) -> SilenceRequest {
        SilenceRequest(matchers: patterns, start: start, end: until, duration: duration, reason: reason ?? "set with healthctl by \(user)")
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
