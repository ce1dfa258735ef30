/// A probe's history as a chart draws it: its rules (for the threshold lines) and one point per step.
package struct ChartSeries: Sendable {
    package var name: String
    package var rules: ProbeRules
    /// One per step, consecutive, the first starting at `firstStart`.
    package var points: [ChartPoint]
    package var firstStart: Timestamp
    /// Points that start before this were final when computed: their buckets had closed.
    var finalBefore: Timestamp
    /// Changes whenever the points do, so a renderer may keep what it drew from them.
    package var version: ChartVersion
}

/// What a chart draws of one step, in 24 bytes (its start is the series' to say): a cache holds a day of these for every probe, and a full
/// `ProbeWindows.Point` (~190 bytes with its nine optional doubles) made that cache most of a probe's memory.
/// Quantiles and the value are kept as `Float` (NaN for none): seven digits are more than a chart shows.
package struct ChartPoint: Sendable, Equatable {
    private var samples: UInt32, failed: UInt32
    private var p50: Float, p95: Float, p99: Float, average: Float

    package init(_ point: ProbeWindows.Point) {
        let s = point.stats
        (samples, failed) = (UInt32(clamping: s.count), UInt32(clamping: s.failures))
        func narrow(_ x: Double?) -> Float { x.map(Float.init) ?? .nan }
        (p50, p95, p99, average) = (narrow(s.latencyP50), narrow(s.latencyP95), narrow(s.latencyP99), narrow(s.valueAvg))
    }

    /// Samples in the step.
    package var count: Int { Int(samples) }
    /// Failed samples in the step.
    package var failures: Int { Int(failed) }
    /// (count − failures) / count; nil when the step is empty.
    package var availability: Double? { samples > 0 ? Double(samples - failed) / Double(samples) : nil }
    package var latencyP50: Double? { Self.widen(p50) }
    package var latencyP95: Double? { Self.widen(p95) }
    package var latencyP99: Double? { Self.widen(p99) }
    /// Mean reported value over the step.
    package var valueAvg: Double? { Self.widen(average) }

    private static func widen(_ x: Float) -> Double? { x.isNaN ? nil : Double(x) }
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
            Timestamp(nanoseconds: t.stepIndex(step) * step.nanoseconds)
        }
        let first = stepStart(now - range), newest = stepStart(now)
        let sameRules = s?.rules.isEqual(to: entry.rules) == true  // `s?.rules == …` would copy them
        // The points depend on nothing else (the series reads whole steps from the windows).
        if sameRules, let s, s.version == ChartVersion(revision: entry.revision, newest: newest) { return s }
        var points: [ChartPoint] = []
        points.reserveCapacity(Int(range.nanoseconds / step.nanoseconds) + 1)  // exactly: no growth slack kept
        // Changed rules mean a changed probe (and maybe new windows); time going back means nothing holds. Kept are
        // the old points from `first` that were final: up to the two newest steps, and up to the step that was still
        // being recorded into when they were computed (a page drawn before a step's first sample, or long ago).
        if sameRules, let s, !s.points.isEmpty, s.firstStart <= first {
            let skipped = Int((first - s.firstStart).nanoseconds / step.nanoseconds)
            let kept = Int((min(newest - step, s.finalBefore) - first).nanoseconds / step.nanoseconds)
            points += s.points.dropFirst(skipped).prefix(max(kept, 0))
        }
        // With nothing kept, ask for exactly the range: a longer one would be served from a coarser tier.
        let asked = points.isEmpty ? range : now - (first + step * Int64(points.count))
        points += entry.windows.series(range: asked, step: step, now: now).lazy.map(ChartPoint.init)
        // A step is final once a sample after it was recorded (which closed its buckets).
        let finalBefore = entry.windows.newest.map(stepStart) ?? first
        let next = ChartSeries(name: entry.rules.name, rules: entry.rules, points: points, firstStart: first,
                               finalBefore: finalBefore, version: ChartVersion(revision: entry.revision, newest: newest))
        s = next
        return next
    }
}

private extension ProbeRules {
    func isEqual(to other: ProbeRules) -> Bool { self == other }
}
