/// An alert's progress as saved across restarts, so a restart neither re-notifies what receivers
/// already know nor forgets to tell them what changed while healthd was stopped.
package struct SavedAlert: Sendable, Equatable {
    /// The rule it belongs to, by content (rules have no names; a changed rule starts over).
    package var rule: String
    package var subject: AlertSubject
    package var pendingSince: Timestamp?
    package var firingLevel: Health?
    package var startsAt: Timestamp?
    package var notified: Health?
    package var lastSent: Timestamp?
    package var flapNotified: Bool

    package init(rule: String, subject: AlertSubject, pendingSince: Timestamp?, firingLevel: Health?, startsAt: Timestamp?,
                notified: Health?, lastSent: Timestamp?, flapNotified: Bool) {
        (self.rule, self.subject, self.pendingSince, self.firingLevel) = (rule, subject, pendingSince, firingLevel)
        (self.startsAt, self.notified, self.lastSent, self.flapNotified) = (startsAt, notified, lastSent, flapNotified)
    }
}

extension AlertRule {
    /// The rule's content as one string: equal rules, equal signatures.
    package var signature: String {
        "probes=\(probes) components=\(components) system=\(system) min=\(minLevel) for=\(holdFor) "
            + "repeat=\(repeatEvery?.description ?? "-") resolved=\(sendResolved) hooks=\(hooks)"
    }
}

extension AlertTracker {
    package var saved: [SavedAlert] {
        tracks.sorted { ($0.key.rule, $0.key.subject.description) < ($1.key.rule, $1.key.subject.description) }.map { key, t in
            SavedAlert(rule: rules[key.rule].signature, subject: key.subject, pendingSince: t.pendingSince, firingLevel: t.firingLevel,
                       startsAt: t.startsAt, notified: t.notified, lastSent: t.lastSent, flapNotified: t.flapNotified)
        }
    }

    /// Puts back saved alerts whose rule still exists unchanged; returns how many.
    @discardableResult
    package mutating func restore(_ saved: [SavedAlert]) -> Int {
        var restored = 0
        for s in saved {
            guard let r = rules.firstIndex(where: { $0.signature == s.rule }) else { continue }
            tracks[Key(rule: r, subject: s.subject)] = Track(
                pendingSince: s.pendingSince, firingLevel: s.firingLevel, startsAt: s.startsAt, notified: s.notified,
                lastSent: s.lastSent, flapNotified: s.flapNotified)
            if s.firingLevel != nil { reassert.insert(Key(rule: r, subject: s.subject)) }
            restored += 1
        }
        return restored
    }

    /// `{"alerts":[…]}` for the socket's `alerts` op.
    package func firingJSON(_ snapshot: Snapshot, silences: [Silence], now: Timestamp) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("alerts")
        w.beginArray()
        for a in firing(snapshot, silences: silences, now: now) {
            w.beginObject()
            w.field("kind", a.subject.kind.rawValue)
            w.field("name", a.subject.name)
            w.field("level", a.level.description)
            w.field("severity", a.level.severity)
            w.field("starts_at", a.startsAt.iso8601())
            w.field("reasons", strings: a.reasons)
            w.field("silenced_by", a.silencedBy)
            w.field("suppressed_by", a.suppressedBy)
            w.field("flapping", a.flapping)
            w.field("hooks", strings: a.hooks)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.output
    }
}

extension SilenceBook {
    /// `{"silences":[…]}` for the socket's `silences` op.
    package func json(now: Timestamp) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("silences")
        w.beginArray()
        for s in all { s.write(to: &w, now: now) }
        w.endArray()
        w.endObject()
        return w.output
    }
}
