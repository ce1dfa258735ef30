import HealthCore

/// A validated configuration: everything healthd runs from.
public struct Config: Sendable, Equatable {
    public var output: OutputConfig
    public var probes: [ProbeConfig]
    public var components: [ComponentRules]
    public var state = StateConfig()
    public var socket = SocketConfig()
    public var hooks: [HookConfig] = []
    public var alerts: [AlertRule] = []
    public var silences: [Silence] = []

    public var monitorSpec: MonitorSpec {
        MonitorSpec(probes: probes.map(\.rules), components: components, snapshotWindows: output.windows)
    }
}

public struct OutputConfig: Sendable, Equatable {
    public var dir: String
    public var socket: String?
    /// The longest time between two snapshot writes.
    public var interval: TimeSpan
    /// Windows shown per probe in the snapshot.
    public var windows: [TimeSpan]
}

public struct ProbeConfig: Sendable, Equatable {
    public var rules: ProbeRules
    public var target: ProbeTarget
    public var name: String { rules.name }
    /// Kept in the rules, where the evaluator needs them too (overdue results, how long alerts wait on a parent).
    public var interval: TimeSpan {
        get { rules.interval }
        set { rules.interval = newValue }
    }
    public var timeout: TimeSpan {
        get { rules.timeout }
        set { rules.timeout = newValue }
    }

    public init(rules: ProbeRules, interval: TimeSpan, timeout: TimeSpan, target: ProbeTarget) {
        self.rules = rules
        self.target = target
        self.interval = interval
        self.timeout = timeout
    }
}

/// What a probe talks to, per kind.
public enum ProbeTarget: Sendable, Equatable {
    case tcp(host: String, port: UInt16)
    case http(HTTPCheck)
    case exec(argv: [String])
    case postgres(PostgresCheck)
    case redis(RedisCheck)
    case prometheus(PrometheusCheck)
}

public struct HTTPCheck: Sendable, Equatable {
    public var endpoint: Endpoint
    /// Set for `https://`.
    public var tls: TLSSettings?
    public var method: String
    public var headers: [(String, String)]
    /// Accepted status codes; empty means 200–399.
    public var statuses: [Int]
    /// Texts the body must contain, a regular expression it must match, JSON fields it must hold.
    public var bodyContains: [String] = []
    public var bodyRegex: String?
    public var json: [JSONCheck] = []
    /// A response slower than this fails (`assertion`), however good it is.
    public var maxLatency: TimeSpan?
    /// A JSON field of the body that becomes the sample's value.
    public var valueFromJSON: JSONPath?

    public init(endpoint: Endpoint, method: String = "GET", headers: [(String, String)] = [], statuses: [Int] = []) {
        self.endpoint = endpoint
        self.method = method
        self.headers = headers
        self.statuses = statuses
    }

    public func accepts(status: Int) -> Bool { statuses.isEmpty ? (200...399).contains(status) : statuses.contains(status) }

    public static func == (a: HTTPCheck, b: HTTPCheck) -> Bool {
        a.endpoint == b.endpoint && a.method == b.method && a.statuses == b.statuses && a.bodyContains == b.bodyContains
            && a.bodyRegex == b.bodyRegex && a.json == b.json && a.maxLatency == b.maxLatency && a.valueFromJSON == b.valueFromJSON
            && a.headers.count == b.headers.count && zip(a.headers, b.headers).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}
