import Testing
@testable import HealthCore

/// The chart cache keeps the points of past steps and computes the newest two again; what it hands out is always what
/// a fresh computation gives, as time passes a step at a time, many steps at once, or goes back.
struct ChartSeriesTests {
    static let start = Timestamp(seconds: 1_795_341_600)

    /// What a point shows, comparable (an empty point's NaNs are not equal to themselves).
    static func shown(_ points: [ChartPoint]) -> [String] {
        points.map { "\($0.count) \($0.failures) \(String(describing: $0.latencyP50)) \(String(describing: $0.latencyP95)) "
            + "\(String(describing: $0.latencyP99)) \(String(describing: $0.valueAvg))" }
    }

    @Test func cachedSeriesAreTheFreshOnes() {
        var monitor = Monitor(spec: MonitorSpec(probes: [ProbeRules(name: "a", kind: "tcp")]))
        var cache = ChartSeriesCache()
        var rng = RollingWindowTests.SplitMix64(state: 9)
        var time = Self.start
        // A day and a half at one sample a minute, the charts drawn now and then: after a minute, a few steps, hours.
        for (minutes, gap) in [(600, 1), (400, 17), (300, 130), (100, 3), (800, 7)] {
            for _ in 0..<minutes {
                time = time + .minutes(1)
                _ = monitor.ingest(Sample(time: time, latencyMs: rng.lognormal(median: 30, sigma: 0.5), value: Double(minutes),
                                          failure: nil), probe: 0)
                guard Int(time.nanoseconds / 60_000_000_000) % gap == 0 else { continue }
                let cached = monitor.chartSeries(range: .hours(24), step: .minutes(15), now: time, cache: &cache)[0]
                var fresh = ChartSeriesCache()
                let expected = monitor.chartSeries(range: .hours(24), step: .minutes(15), now: time, cache: &fresh)[0]
                let (a, b) = (Self.shown(cached.points), Self.shown(expected.points))
                let diffs = a.indices.filter { $0 < b.count && a[$0] != b[$0] }
                #expect(a == b, "at \(time): \(diffs.count) differ, first \(diffs.first.map { "\($0): \(a[$0]) vs \(b[$0])" } ?? "-") counts \(a.count) \(b.count)")
                #expect(cached.firstStart == expected.firstStart)
                #expect(cached.points.count == 97)
            }
        }
        // The clock set back a day: nothing kept holds.
        let back = time - .hours(24)
        let cached = monitor.chartSeries(range: .hours(24), step: .minutes(15), now: back, cache: &cache)[0]
        var fresh = ChartSeriesCache()
        #expect(Self.shown(cached.points) == Self.shown(monitor.chartSeries(range: .hours(24), step: .minutes(15), now: back, cache: &fresh)[0].points))
    }
}
