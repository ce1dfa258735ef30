import HealthCore

/// What an Alertmanager hook owes besides each round: every firing alert again each `resend`, so that
/// Alertmanager does not time it out; a resolved one is forgotten. Pure: time comes in as monotonic
/// nanoseconds, so its pace is tested with a manual clock.
struct AlertmanagerResends {
    let interval: Int64
    /// When the firing set is next sent again.
    private(set) var due: Int64
    private(set) var firing: [AlertSubject: Alert] = [:]

    init(every interval: TimeSpan, now: Int64) {
        self.interval = interval.nanoseconds
        due = now + interval.nanoseconds
    }

    /// A round's alerts, as posted: firing ones are kept (the newest of each subject), resolved ones forgotten.
    mutating func record(_ alerts: [Alert]) {
        for a in alerts { firing[a.subject] = a.firing ? a : nil }
    }

    /// Carries the firing set over from the hook this one replaces (a reload).
    mutating func adopt(_ other: AlertmanagerResends) { firing = other.firing }

    /// Once `due` has come: the firing alerts to post again, in subject order, and the next `due` an interval
    /// from now (a late timer does not bunch resends up). Before it, nothing.
    mutating func take(now: Int64) -> [Alert] {
        guard now >= due else { return [] }
        due = now + interval
        return firing.values.sorted { $0.subject.description < $1.subject.description }
    }
}
