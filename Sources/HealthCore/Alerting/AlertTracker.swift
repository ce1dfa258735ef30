/// Turns evaluated health into notifications: the alert rules' `for`, `repeat` and `send_resolved`,
/// silences, dependency suppression and flapping. Pure: the caller passes each snapshot and the time.
///
/// A probe's alert about to fire waits on a parent that is failing short of down or has not run since the probe's
/// trouble began (`AwaitedParent`), so that in a shared outage the parent's alert is the one sent, whichever probe
/// reaches its threshold first; the tracker asks for such parents to be run now (`parentRuns`).
///
/// Each (rule, subject) pair converges what its receivers were last told toward what is true;
/// while muted (silenced, suppressed by a parent, flapping after its one notice) it is not told,
/// so when the mute ends whatever changed meanwhile is sent then.
package struct AlertTracker: Sendable {
    struct Key: Hashable, Sendable {
        var rule: Int
        var subject: AlertSubject
    }

    struct Track: Sendable, Equatable {
        /// When the subject first reached the rule's level this time (the `for` clock).
        var pendingSince: Timestamp?
        var firingLevel: Health?
        var startsAt: Timestamp?
        /// What the receivers were last told; nil: nothing, or resolved.
        var notified: Health?
        var lastSent: Timestamp?
        var flapNotified = false
        /// When it began waiting on a parent (`AwaitedParent`), so that the wait is bounded.
        var heldSince: Timestamp?
        var isIdle: Bool { pendingSince == nil && firingLevel == nil && notified == nil && !flapNotified }
    }

    /// What the tracker needs of a subject, taken from the snapshot.
    struct Observation {
        var subject: AlertSubject
        var health: Health?
        var reasons: [String]
        var value: Double?
        var since: Timestamp?
        var suppressedBy: String?
        var awaitedParent: AwaitedParent? = nil
        var flapping: Bool
        /// No longer in the snapshot (a probe removed from the config): resolved, unlike a pending one.
        var gone = false
    }

    package private(set) var rules: [AlertRule]
    var tracks: [Key: Track] = [:]
    /// Restored alerts still firing, to be re-asserted quietly once (Alertmanager forgets alerts not re-sent).
    var reassert: Set<Key> = []
    /// Parents to run now, out of turn, as the last `evaluate` found them: alerts wait on them and their last
    /// result predates the trouble.
    package private(set) var parentRuns: [String] = []

    package init(rules: [AlertRule]) { self.rules = rules }

    /// True while some alert is pending, firing or owed: then time alone can change what to send.
    package var isActive: Bool { !tracks.isEmpty }

    /// A reload: tracks of rules that are still there (unchanged) carry over, so nothing re-fires.
    package mutating func replaceRules(_ next: [AlertRule]) {
        var carried: [Key: Track] = [:]
        for (key, track) in tracks {
            guard let i = next.firstIndex(of: rules[key.rule]) else { continue }
            carried[Key(rule: i, subject: key.subject)] = track
        }
        rules = next
        tracks = carried
    }

    /// The wall clock was set by `step` (NTP, a VM resumed): each alert's clocks (`for`, `repeat`, a wait on a parent)
    /// and its start move with it, so that they measure the time that passed rather than the jump: no pending alert
    /// fires early or hours late, no repeat is sent early or held back. Silences keep their times: an end set for
    /// 14:00 means 14:00 on the clock.
    package mutating func wallClockStepped(by step: TimeSpan) {
        func moved(_ t: Timestamp?) -> Timestamp? { t.map { $0 + step } }
        for (key, t) in tracks {
            tracks[key] = Track(pendingSince: moved(t.pendingSince), firingLevel: t.firingLevel, startsAt: moved(t.startsAt),
                                notified: t.notified, lastSent: moved(t.lastSent), flapNotified: t.flapNotified,
                                heldSince: moved(t.heldSince))
        }
    }

    /// One evaluation round: the notifications to send now, in a stable order.
    package mutating func evaluate(_ snapshot: Snapshot, silences: [Silence], now: Timestamp) -> [Notification] {
        let active = silences.filter { $0.isActive(at: now) }
        var out: [Notification] = []
        var seen: Set<Key> = []
        var runs: Set<String> = []
        func advance(_ key: Key, _ o: Observation) {
            let rule = rules[key.rule]
            var track = tracks[key] ?? Track()
            let muted = o.suppressedBy != nil || active.contains { $0.matches(o.subject) }
            if let (alert, quiet) = step(&track, rule: rule, o, muted: muted, now: now, runs: &runs) {
                out.append(Notification(hooks: rule.hooks, alert: alert, quiet: quiet))
            } else if reassert.remove(key) != nil, !muted, let level = track.firingLevel, track.notified == level {
                out.append(Notification(hooks: rule.hooks, alert: Alert(
                    subject: o.subject, event: .repeated, level: level, previousLevel: level, reasons: o.reasons, value: o.value,
                    since: o.since, startsAt: track.startsAt ?? now, endsAt: nil), quiet: true))
            }
            tracks[key] = track.isIdle ? nil : track
        }
        for o in Self.observations(snapshot) {
            for (r, rule) in rules.enumerated() where rule.matches(o.subject) {
                seen.insert(Key(rule: r, subject: o.subject))
                advance(Key(rule: r, subject: o.subject), o)
            }
        }
        // A subject that is gone (a probe removed from the config) is over: resolved, then forgotten.
        for key in tracks.keys.sorted(by: { $0.subject.description < $1.subject.description }) where !seen.contains(key) {
            advance(key, Observation(subject: key.subject, health: nil, reasons: ["no longer monitored"], value: nil, since: nil,
                                     suppressedBy: nil, flapping: false, gone: true))
        }
        reassert = []
        parentRuns = runs.sorted()
        return out
    }

    /// The notification this round owes, if any, and whether only stateful hooks should hear it.
    private func step(_ t: inout Track, rule: AlertRule, _ o: Observation, muted: Bool, now: Timestamp,
                      runs: inout Set<String>) -> (Alert, Bool)? {
        // Unknown is no news: a pending subject neither fires nor resolves, and its alert stays as it was until judged.
        guard o.health != nil || o.gone else { return nil }
        let level = o.health.flatMap { $0 >= rule.minLevel ? $0 : nil }
        if let level {
            if t.firingLevel != nil {
                t.firingLevel = level
            } else {
                let pending = t.pendingSince ?? now
                t.pendingSince = pending
                if now - pending >= rule.holdFor, !waits(&t, on: o.awaitedParent, now: now, runs: &runs) {
                    (t.firingLevel, t.startsAt, t.heldSince) = (level, now, nil)
                }
            }
        } else {
            (t.pendingSince, t.firingLevel, t.heldSince) = (nil, nil, nil)
        }
        guard !muted else { return nil }

        func alert(_ event: Alert.Event, _ level: Health) -> Alert {
            Alert(subject: o.subject, event: event, level: level, previousLevel: t.notified, reasons: o.reasons,
                  value: o.value, since: o.since, startsAt: t.startsAt ?? now, endsAt: event == .resolved ? now : nil)
        }
        if o.flapping {
            guard !t.flapNotified, let level = t.firingLevel ?? t.notified else { return nil }
            let a = alert(.flapping, level)
            (t.flapNotified, t.notified, t.lastSent) = (true, level, now)
            return (a, false)
        }
        t.flapNotified = false
        switch (t.firingLevel, t.notified) {
        case (nil, nil):
            return nil
        case (nil, .some(let told)):
            t.notified = nil
            var a = alert(.resolved, .healthy)
            a.previousLevel = told
            return (a, !rule.sendResolved)
        case (.some(let level), let told):
            if level != told {
                let a = alert(told == nil ? .firing : .changed, level)
                (t.notified, t.lastSent) = (level, now)
                return (a, false)
            }
            guard let every = rule.repeatEvery, let last = t.lastSent, now - last >= every else { return nil }
            t.lastSent = now
            return (alert(.repeated, level), false)
        }
    }

    /// Whether an alert about to fire waits on `parent` this round: from the first round it would have fired, for at
    /// most the parent's hold. Asks for the parent to run when its last result predates the trouble.
    private func waits(_ t: inout Track, on parent: AwaitedParent?, now: Timestamp, runs: inout Set<String>) -> Bool {
        guard let parent else { return false }
        let since = t.heldSince ?? now
        guard now - since < parent.hold else { return false }
        t.heldSince = since
        if parent.unchecked { runs.insert(parent.name) }
        return true
    }

    /// The alerts firing now, with why each is quiet if it is.
    package func firing(_ snapshot: Snapshot, silences: [Silence], now: Timestamp) -> [FiringAlert] {
        let observed = Dictionary(Self.observations(snapshot).map { ($0.subject, $0) }, uniquingKeysWith: { a, _ in a })
        return tracks.sorted { ($0.key.subject.description, $0.key.rule) < ($1.key.subject.description, $1.key.rule) }
            .compactMap { key, track in
                guard let level = track.firingLevel, let startsAt = track.startsAt else { return nil }
                let o = observed[key.subject]
                let silence = silences.first { $0.isActive(at: now) && $0.matches(key.subject) }
                return FiringAlert(subject: key.subject, level: level, startsAt: startsAt, reasons: o?.reasons ?? [],
                                   silencedBy: silence?.id, suppressedBy: o?.suppressedBy, flapping: o?.flapping ?? false,
                                   hooks: rules[key.rule].hooks)
            }
    }

    static func observations(_ s: Snapshot) -> [Observation] {
        var out = s.probes.map {
            Observation(subject: AlertSubject(.probe, $0.name), health: $0.health, reasons: $0.reasons, value: $0.value,
                        since: $0.since, suppressedBy: $0.suppressedBy, awaitedParent: $0.awaitedParent, flapping: $0.flapping)
        }
        out += s.components.map {
            Observation(subject: AlertSubject(.component, $0.name), health: $0.health, reasons: $0.reasons, value: nil,
                        since: nil, suppressedBy: nil, flapping: false)
        }
        out.append(Observation(subject: .system, health: s.health, reasons: s.reasons, value: nil, since: nil,
                               suppressedBy: nil, flapping: false))
        return out
    }
}
