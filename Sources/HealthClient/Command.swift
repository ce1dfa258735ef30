import HealthAPI
import HealthCore

/// A healthctl command line, checked: the socket and what to do.
package struct Invocation: Equatable, Sendable {
    package var socket: String
    package var command: Command
}

package enum Command: Equatable, Sendable {
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
    package var verb: String {
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
    package func request(user: String) -> String? { apiRequest(user: user)?.line }

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

package struct HistoryArgs: Equatable, Sendable {
    package var probe: String
    package var range = TimeSpan.hours(24)
    /// nil: the server picks the dashboard step for the range.
    package var step: TimeSpan?
    package var series = HistoryRequest.Series.latencyP95
    package var json = false

    package static let seriesNames = HistoryRequest.Series.allCases.map(\.rawValue)
}

package struct SilenceArgs: Equatable, Sendable {
    package var patterns: [String]
    /// Exactly one of `duration` and `until`.
    package var duration: TimeSpan?
    package var until: Timestamp?
    package var start: Timestamp?
    /// nil: "set with healthctl by USER".
    package var reason: String?

    func request(user: String) -> SilenceRequest {
        SilenceRequest(matchers: patterns, start: start, end: until, duration: duration, reason: reason ?? "set with healthctl by \(user)")
    }
}

/// A command line healthctl cannot run; `verb` points the user at that verb's help.
package struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    package var message: String
    package var verb: String?

    package var description: String {
        message + "\n" + (verb.map { "see: healthctl \($0) --help" } ?? "see: healthctl --help")
    }
}
