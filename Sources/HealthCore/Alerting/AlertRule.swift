/// Which health changes notify, and whom. A rule names probes, components (names or globs) and
/// optionally the system; each matching subject has its own alert.
package struct AlertRule: Sendable, Equatable {
    package var probes: [String]
    package var components: [String]
    package var system: Bool
    /// The lowest level that fires: `degraded` (warning and critical) or `down` (critical only).
    package var minLevel: Health
    /// How long the subject must stay at or above `minLevel` before the alert fires.
    package var holdFor: TimeSpan
    /// Notify again this often while firing; nil: once.
    package var repeatEvery: TimeSpan?
    package var sendResolved: Bool
    package var hooks: [String]

    package init(probes: [String] = [], components: [String] = [], system: Bool = false, minLevel: Health = .degraded,
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
package struct AlertSubject: Hashable, Sendable, CustomStringConvertible {
    package enum Kind: String, Sendable { case probe, component, system }
    package var kind: Kind
    package var name: String

    package init(_ kind: Kind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    package static let system = AlertSubject(.system, "system")
    package var description: String { kind == .system ? "system" : "\(kind.rawValue) \(name)" }
}

extension Health {
    /// Alert severity: degraded is a warning, down is critical.
    package var severity: String { self == .down ? "critical" : self == .degraded ? "warning" : "none" }
}
