import HealthCore

/// A validated configuration: everything healthd runs from.
package struct Config: Sendable, Equatable {
    package var output: OutputConfig
    package var probes: [ProbeConfig]
    package var components: [ComponentRules]
    package var state = StateConfig()
    package var socket = SocketConfig()
    package var hooks: [HookConfig] = []
    package var alerts: [AlertRule] = []
    package var silences: [Silence] = []

    package var monitorSpec: MonitorSpec {
        MonitorSpec(probes: probes.map(\.rules), components: components, snapshotWindows: output.windows)
    }
}

package struct OutputConfig: Sendable, Equatable {
    package var dir: String
    package var socket: String?
    /// The longest time between two snapshot writes.
    package var interval: TimeSpan
    /// Windows shown per probe in the snapshot.
    package var windows: [TimeSpan]
}

package struct ProbeConfig: Sendable, Equatable {
    /// Boxed, as `target` is: the config and the probe's scheduler job each keep a copy of the whole.
    private final class Rules: Sendable {
        let rules: ProbeRules
        init(_ rules: ProbeRules) { self.rules = rules }
    }

    private var boxedRules: Rules
    package var rules: ProbeRules {
        get { boxedRules.rules }
        set { boxedRules = Rules(newValue) }
    }
    package var target: ProbeTarget
    package var name: String { rules.name }
    /// Kept in the rules, where the evaluator needs them too (overdue results, how long alerts wait on a parent).
    package var interval: TimeSpan {
        get { rules.interval }
        set { rules.interval = newValue }
    }
    package var timeout: TimeSpan {
        get { rules.timeout }
        set { rules.timeout = newValue }
    }

    package init(rules: ProbeRules, interval: TimeSpan, timeout: TimeSpan, target: ProbeTarget) {
        boxedRules = Rules(rules)
        self.target = target
        self.interval = interval
        self.timeout = timeout
    }

    package static func == (a: Self, b: Self) -> Bool { a.rules == b.rules && a.target == b.target }
}

/// What a probe talks to, per kind.
/// Boxed: a probe's configuration is copied into its scheduler job and kept in the config, and the largest target
/// (http's) would make every copy ~250 bytes more.
package indirect enum ProbeTarget: Sendable, Equatable {
    case tcp(host: String, port: UInt16)
    case http(HTTPCheck)
    case exec(argv: [String])
    case postgres(PostgresCheck)
    case redis(RedisCheck)
    case prometheus(PrometheusCheck)
}

package struct HTTPCheck: Sendable, Equatable {
    package var endpoint: Endpoint
    /// Set for `https://`.
    package var tls: TLSSettings?
    package var method: String
    package var headers: [(String, String)]
    /// Accepted status codes; empty means 200–399.
    package var statuses: [Int]
    /// Texts the body must contain, a regular expression it must match, JSON fields it must hold.
    package var bodyContains: [String] = []
    package var bodyRegex: String?
    package var json: [JSONCheck] = []
    /// A response slower than this fails (`assertion`), however good it is.
    package var maxLatency: TimeSpan?
    /// A JSON field of the body that becomes the sample's value.
    package var valueFromJSON: JSONPath?

    package init(endpoint: Endpoint, method: String = "GET", headers: [(String, String)] = [], statuses: [Int] = []) {
        self.endpoint = endpoint
        self.method = method
        self.headers = headers
        self.statuses = statuses
    }

    package func accepts(status: Int) -> Bool { statuses.isEmpty ? (200...399).contains(status) : statuses.contains(status) }

    package static func == (a: HTTPCheck, b: HTTPCheck) -> Bool {
        a.endpoint == b.endpoint && a.method == b.method && a.statuses == b.statuses && a.bodyContains == b.bodyContains
            && a.bodyRegex == b.bodyRegex && a.json == b.json && a.maxLatency == b.maxLatency && a.valueFromJSON == b.valueFromJSON
            && a.headers.count == b.headers.count && zip(a.headers, b.headers).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}
