/// One notification's content: the state of a subject as the receivers should now know it.
public struct Alert: Sendable, Equatable {
    public enum Event: String, Sendable {
        /// Crossed up to the rule's level (or was owed after a silence ended).
        case firing
        /// Still firing, at another level.
        case changed
        /// Still firing; `repeat` is due.
        case repeated
        case resolved
        /// Changing state too often: told once, then quiet until it settles.
        case flapping
    }

    public var subject: AlertSubject
    public var event: Event
    /// The level now (`healthy` once resolved).
    public var level: Health
    /// The level the receivers last heard about; nil when they had heard nothing.
    public var previousLevel: Health?
    public var reasons: [String]
    public var value: Double?
    /// When the subject entered its current level.
    public var since: Timestamp?
    /// When the alert started firing.
    public var startsAt: Timestamp
    /// Set when resolved.
    public var endsAt: Timestamp?

    public var firing: Bool { event != .resolved }
    public var severity: String { (firing ? level : previousLevel ?? level).severity }

    /// One line for logs: `probe redis down (critical): …reasons`.
    public var summary: String {
        let what = firing ? "\(level)" : "resolved"
        return "\(subject) \(what)" + (reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; "))
    }
}

/// An alert for the hooks of the rule that produced it.
public struct Notification: Sendable, Equatable {
    public var hooks: [String]
    public var alert: Alert
    /// For hooks that keep state of their own (Alertmanager) only: a resolve the rule does not
    /// send (`send_resolved: false`), or a firing alert re-asserted after a restart.
    public var quiet = false
}

/// An alert that is firing now, for the `alerts` question.
public struct FiringAlert: Sendable, Equatable {
    public var subject: AlertSubject
    public var level: Health
    public var startsAt: Timestamp
    public var reasons: [String]
    /// Why receivers are not being told: a silence's id, or the parent probe that is down.
    public var silencedBy: String?
    public var suppressedBy: String?
    public var flapping: Bool
    public var hooks: [String]
}
