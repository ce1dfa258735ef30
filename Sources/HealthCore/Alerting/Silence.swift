/// A time during which matching alerts are evaluated and shown but not notified: maintenance,
/// a known outage. One-off (start…end) or weekly (days, time of day in UTC, duration).
package struct Silence: Sendable, Equatable {
    package enum Schedule: Sendable, Equatable {
        case once(start: Timestamp, end: Timestamp)
        /// `days`: 0 = Sunday … 6 = Saturday; `start` from midnight UTC.
        case weekly(days: Set<Int>, start: TimeSpan, duration: TimeSpan)
    }

    /// No silence may end later: every time a silence's end meets in arithmetic stays far from Int64's end
    /// (2262), and a silence meant to last that long is a config change, not a silence.
    package static let latestEnd = Timestamp(nanoseconds: 7_258_118_400_000_000_000)  // 2200-01-01T00:00:00Z

    package var id: String
    /// Probe or component names or globs; `system` matches the system's own alert.
    package var matchers: [String]
    package var schedule: Schedule
    package var reason: String
    /// Who set it: "config", or the operator's user at run time.
    package var createdBy: String

    package init(id: String, matchers: [String], schedule: Schedule, reason: String, createdBy: String) {
        self.id = id
        self.matchers = matchers
        self.schedule = schedule
        self.reason = reason
        self.createdBy = createdBy
    }

    package func matches(_ subject: AlertSubject) -> Bool { matchers.contains { globMatches($0, subject.name) } }

    package func isActive(at t: Timestamp) -> Bool {
        switch schedule {
        case .once(let start, let end):
            return start <= t && t < end
        case .weekly(let days, let start, let duration):
            // An occurrence may have begun on any of the last 7 days and still be running.
            let day = TimeSpan.days(1)
            let today = t.stepIndex(day)
            for back in Int64(0)...7 {
                let d = today - back
                guard days.contains(Int((d + 4) % 7 + 7) % 7) else { continue } // 1970-01-01 was a Thursday
                // In time arithmetic, which saturates: at the ends of time an occurrence is cut, not a trap.
                let begin = Timestamp(nanoseconds: 0) + day * d + start
                if begin <= t && t < begin + duration { return true }
            }
            return false
        }
    }

    /// A one-off silence that is over can be forgotten.
    package func isExpired(at t: Timestamp) -> Bool {
        if case .once(_, let end) = schedule { return end <= t }
        return false
    }
}
