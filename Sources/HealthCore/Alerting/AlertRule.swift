/// Which health changes notify, and whom. A rule names probes, components (names or globs) and
/// optionally the system; each matching subject has its own alert.
public struct AlertRule: Sendable, Equatable {
    public var probes: [String]
    public var components: [String]
    public var system: Bool
    /// The lowest level that fires: `degraded` (warning and critical) or `down` (critical only).
    public var minLevel: Health
    /// How long the subject must stay at or above `minLevel` before the alert fires.
    public var holdFor: TimeSpan
    /// Notify again this often while firing; nil: once.
    public var repeatEvery: TimeSpan?
    public var sendResolved: Bool
    public var hooks: [String]

    public init(probes: [String] = [], components: [String] = [], system: Bool = false, minLevel: Health = .degraded,
                holdFor: TimeSpan = TimeSpan(nanoseconds: 0), repeatEvery: TimeSpan? = nil, sendResolved: Bool = true,
                hooks: [String]) {
        self.probes = probes
        self.components = components
        self.system = system
        self.minLevel = minLevel
        self.holdFor = holdFor
        self.repeatEvery = repeatEvery
        self.sendResolved = sendResolved
        self.hooks = hooks
    }

    func matches(_ subject: AlertSubject) -> Bool {
        switch subject.kind {
        case .probe: probes.contains { globMatches($0, subject.name) }
        case .component: components.contains { globMatches($0, subject.name) }
        case .system: system
        }
    }
}

/// What an alert is about.
public struct AlertSubject: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case probe, component, system }
    public var kind: Kind
    public var name: String

    public init(_ kind: Kind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    public static let system = AlertSubject(.system, "system")
    public var description: String { kind == .system ? "system" : "\(kind.rawValue) \(name)" }
}

extension Health {
    /// Alert severity: degraded is a warning, down is critical.
    public var severity: String { self == .down ? "critical" : self == .degraded ? "warning" : "none" }
}
