/// Late results. A probe answers once an interval, within its timeout, which is shorter: no result for two
/// intervals means it is not being run or its results are lost — its health is then old news, whatever it says.
extension Monitor {
    /// How long probe `i` has gone without a result, when that is more than two intervals; nil while on time.
    package func overdue(_ i: Int, now: Timestamp) -> TimeSpan? {
        guard let heard = lastHeard(i) else { return nil }
        let quiet = now - heard
        return quiet > entries[i].rules.interval * 2 ? quiet : nil
    }

    /// When the first probe on time at `now` becomes overdue if no result comes: when to look again.
    package func nextOverdue(after now: Timestamp) -> Timestamp? {
        entries.indices.compactMap { i -> Timestamp? in
            guard let heard = lastHeard(i) else { return nil }
            let at = heard + entries[i].rules.interval * 2 + TimeSpan(nanoseconds: 1)
            return at > now ? at : nil
        }.min()
    }

    /// The wall clock was set forward to `now`: the time it skipped did not pass for the probes, so none is late for
    /// it; each is due again from `now` (without this every probe would show overdue until its next result).
    package mutating func wallClockSteppedForward(to now: Timestamp) {
        for i in entries.indices { entries[i].watchedSince = now }
    }

    /// The last result, or when results began to be due if that is later (a restored result predates the start).
    private func lastHeard(_ i: Int) -> Timestamp? {
        let e = entries[i]
        guard let last = e.state.lastSample?.time else { return e.watchedSince }
        return e.watchedSince.map { max($0, last) } ?? last
    }
}

/// `no result for 25s (interval 10s)`: whole seconds, or milliseconds under one.
func overdueReason(_ quiet: TimeSpan, interval: TimeSpan) -> String {
    let second = TimeSpan.seconds(1).nanoseconds
    let shown = quiet.nanoseconds >= second ? TimeSpan.seconds(quiet.nanoseconds / second) : .milliseconds(quiet.nanoseconds / 1_000_000)
    return "no result for \(shown) (interval \(interval))"
}
