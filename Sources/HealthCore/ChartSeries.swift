/// A probe's history as a chart draws it: its rules (for the threshold lines) and one point per step.
package struct ChartSeries: Sendable {
    package var name: String
    package var rules: ProbeRules
    package var points: [ProbeWindows.Point]
    /// Changes whenever the points do, so a renderer may keep what it drew from them.
    package var version: ChartVersion
}

package struct ChartVersion: Sendable, Equatable {
    var revision: UInt64
    var newest: Timestamp
}

/// Each probe's chart points from the last call. A day of 15-minute points takes ~0.2 ms per probe to
/// compute from its windows, yet all but the newest two are final (their interval ended over 15 minutes
/// ago) and stay the same until they drop out of the range, so only those two are computed again, and only
/// when the windows changed (a new revision) or a new step began. Everything is updated in place:
/// copying a series costs a retain per array in it.
package struct ChartSeriesCache: Sendable {
    var series: [String: ChartSeries] = [:]

    package init() {}
}

extension Monitor {
    /// Every probe's points over the last `range` at `step`, in the monitor's order, reusing what `cache`
    /// kept from the previous call. A caller keeps one cache, and starts a new one when the configuration
    /// is reloaded.
    package func chartSeries(range: TimeSpan, step: TimeSpan, now: Timestamp, cache: inout ChartSeriesCache) -> [ChartSeries] {
        // Indices, not a loop over the entries: iterating them would copy each.
        let out = entries.indices.map { i in Self.update(&cache.series[entries[i].rules.name], of: entries[i], range: range, step: step, now: now) }
        // Every probe has a series now, so more means some are of probes that are gone.
        if cache.series.count > entries.count { cache.series = cache.series.filter { index(of: $0.key) != nil } }
        return out
    }

    private static func update(_ s: inout ChartSeries?, of entry: Entry, range: TimeSpan, step: TimeSpan, now: Timestamp) -> ChartSeries {
        func stepStart(_ t: Timestamp) -> Timestamp {
            Timestamp(nanoseconds: floorDiv(t.nanoseconds, step.nanoseconds) * step.nanoseconds)
        }
        let first = stepStart(now - range), newest = stepStart(now)
        let sameRules = s?.rules.isEqual(to: entry.rules) == true  // `s?.rules == …` would copy them
        // The points depend on nothing else (the series reads whole steps from the windows).
        if sameRules, let s, s.version == ChartVersion(revision: entry.revision, newest: newest) { return s }
        var final: [ProbeWindows.Point] = []
        // Changed rules mean a changed probe (and maybe new windows); time going back means nothing holds.
        if sameRules, let old = s?.points, let oldest = old.first, oldest.start <= first {
            final = old.filter { $0.start >= first && $0.start < newest - step }
        }
        // With nothing kept, ask for exactly the range: a longer one would be served from a coarser tier.
        let asked = final.last.map { now - ($0.start + step) } ?? range
        let next = ChartSeries(name: entry.rules.name, rules: entry.rules, points: final + entry.windows.series(range: asked, step: step, now: now),
                               version: ChartVersion(revision: entry.revision, newest: newest))
        s = next
        return next
    }
}

private extension ProbeRules {
    func isEqual(to other: ProbeRules) -> Bool { self == other }
}

private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let (q, r) = a.quotientAndRemainder(dividingBy: b)
    return r < 0 ? q - 1 : q
}
