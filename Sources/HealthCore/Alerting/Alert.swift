/// One notification's content: the state of a subject as the receivers should now know it.
package struct Alert: Sendable, Equatable {
    package enum Event: String, Sendable {
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

    package var subject: AlertSubject
    package var event: Event
    /// The level now (`healthy` once resolved).
    package var level: Health
    /// The level the receivers last heard about; nil when they had heard nothing.
    package var previousLevel: Health?
    package var reasons: [String]
    package var value: Double?
    /// When the subject entered its current level.
    package var since: Timestamp?
    /// When the alert started firing.
    package var startsAt: Timestamp
    /// Set when resolved.
    package var endsAt: Timestamp?

    package var firing: Bool { event != .resolved }
    package var severity: String { (firing ? level : previousLevel ?? level).severity }

    /// One line for logs: `probe redis down (critical): …reasons`.
    package var summary: String {
        let what = firing ? "\(level)" : "resolved"
        return "\(subject) \(what)" + (reasons.isEmpty ? "" : ": " + reasons.joined(separator: "; "))
    }
}

/// An alert for the hooks of the rule that produced it.
package struct Notification: Sendable, Equatable {
    package var hooks: [String]
    package var alert: Alert
    /// For hooks that keep state of their own (Alertmanager) only: a resolve the rule does not
    /// send (`send_resolved: false`), or a firing alert re-asserted after a restart.
    package var quiet = false
}

/// An alert that is firing now, for the `alerts` question.
package struct FiringAlert: Sendable, Equatable {
    package var subject: AlertSubject
    package var level: Health
    package var startsAt: Timestamp
    package var reasons: [String]
    /// Why receivers are not being told: a silence's id, or the parent probe that is down.
    package var silencedBy: String?
    package var suppressedBy: String?
    package var flapping: Bool
    package var hooks: [String]
}
