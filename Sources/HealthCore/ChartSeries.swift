/// A probe's history as a chart draws it: its rules (for the threshold lines) and one point per step.
package struct ChartSeries: Sendable {
    package var rules: ProbeRules
    /// One per step, consecutive.
    package var points: [ChartPoint]
}

/// What a chart draws of one step, in 24 bytes (its start is the series' to say; a full `ProbeWindows.Point` takes
/// ~190 with its nine optional doubles). Quantiles and the value are kept as `Float` (NaN for none): seven digits are
/// more than a chart shows.
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

/// What a probe's chart depends on: its history's revision and the step now is in. A renderer may keep what it drew
/// while this stays the same.
package struct ChartVersion: Sendable, Equatable {
    var revision: UInt64
    var step: Int64
}

extension Monitor {
    /// The version of probe `i`'s chart at `step` at `now` (see `chartSeries`): cheap, to tell whether one drawn
    /// before still holds.
    package func chartVersion(of i: Int, step: TimeSpan, now: Timestamp) -> ChartVersion {
        ChartVersion(revision: entries[i].revision, step: now.stepIndex(step))
    }

    /// Probe `i`'s points over the last `range` at `step` (a multiple of it), whole steps only: they depend on nothing
    /// but `chartVersion`. Computed afresh: from the tier whose step it is, a point of one bucket reads only the three
    /// bytes that say where its quantiles are, so a day at 15 minutes takes a few µs, and keeping the points of every
    /// probe between renders (2.3 KiB each) would save little.
    package func chartSeries(of i: Int, range: TimeSpan, step: TimeSpan, now: Timestamp) -> ChartSeries {
        ChartSeries(rules: entries[i].rules,
                    points: entries[i].windows.series(range: range, step: step, now: now).map(ChartPoint.init))
    }
}
