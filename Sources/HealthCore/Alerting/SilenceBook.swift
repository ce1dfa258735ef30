/// The silences in force: the config's, and those operators add at run time (which survive
/// reloads and restarts; the config's are replaced by each reload).
package struct SilenceBook: Sendable, Equatable {
    package private(set) var configured: [Silence]
    package private(set) var runtime: [Silence]

    package init(configured: [Silence] = [], runtime: [Silence] = []) {
        self.configured = configured
        self.runtime = runtime
    }

    package var all: [Silence] { configured + runtime }

    package mutating func replaceConfigured(_ next: [Silence]) { configured = next }

    /// Adds a run-time silence; its id is `s-<n>`, unique among those present.
    package mutating func add(matchers: [String], start: Timestamp, end: Timestamp, reason: String, by user: String) -> Silence {
        // One more than the highest present, so a stale id from an earlier listing does not name a newer silence.
        let n = (runtime.compactMap { Int($0.id.dropFirst(2)) }.max() ?? 0) + 1
        let s = Silence(id: "s-\(n)", matchers: matchers, schedule: .once(start: start, end: end), reason: reason, createdBy: user)
        runtime.append(s)
        return s
    }

    /// Removes a run-time silence; config silences are changed in the config.
    package mutating func remove(id: String) -> Silence? {
        guard let i = runtime.firstIndex(where: { $0.id == id }) else { return nil }
        return runtime.remove(at: i)
    }

    /// Forgets run-time silences that are over; true if any was.
    package mutating func expire(now: Timestamp) -> Bool {
        let before = runtime.count
        runtime.removeAll { $0.isExpired(at: now) }
        return runtime.count != before
    }
}

extension Silence {
    package func write(to w: inout JSONWriter, now: Timestamp) {
        w.beginObject()
        w.field("id", id)
        w.field("match", strings: matchers)
        switch schedule {
        case .once(let start, let end):
            w.field("start", start.iso8601())
            w.field("end", end.iso8601())
        case .weekly(let days, let start, let duration):
            let names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
            w.key("weekly")
            w.beginObject()
            w.field("days", strings: days.sorted().map { names[$0] })
            let minutes = start.nanoseconds / 60_000_000_000
            w.field("at", (minutes / 60 < 10 ? "0" : "") + "\(minutes / 60):" + (minutes % 60 < 10 ? "0" : "") + "\(minutes % 60)")
            w.field("duration", duration.description)
            w.endObject()
        }
        w.field("reason", reason)
        w.field("created_by", createdBy)
        w.field("active", isActive(at: now))
        w.endObject()
    }
}
