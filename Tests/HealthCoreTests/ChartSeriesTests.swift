import Testing
@testable import HealthCore

/// A renderer keeps what it drew from a chart while the chart's version stays the same, so the points must depend on
/// nothing else: not on where in its step now falls, nor on anything but samples.
struct ChartSeriesTests {
    static let start = Timestamp(seconds: 1_795_341_600)

    /// What a point shows, comparable (an empty point's NaNs are not equal to themselves).
    static func shown(_ points: [ChartPoint]) -> [String] {
        points.map { "\($0.count) \($0.failures) \(String(describing: $0.latencyP50)) \(String(describing: $0.latencyP95)) "
            + "\(String(describing: $0.latencyP99)) \(String(describing: $0.valueAvg))" }
    }

    @Test func pointsChangeOnlyWithTheVersion() {
        var monitor = Monitor(spec: MonitorSpec(probes: [ProbeRules(name: "a", kind: "tcp")]))
        var rng = RollingWindowTests.SplitMix64(state: 9)
        var time = Self.start
        var drawn: (version: ChartVersion, points: [String])?
        var redrawn = 0
        // A day and a half at one sample a minute, the chart asked for at every second of some minutes.
        for (minutes, gap) in [(600, 1), (400, 17), (300, 130), (100, 3), (800, 7)] {
            for _ in 0..<minutes {
                time = time + .minutes(1)
                _ = monitor.ingest(Sample(time: time, latencyMs: rng.lognormal(median: 30, sigma: 0.5), value: Double(minutes),
                                          failure: nil), probe: 0)
                guard Int(time.nanoseconds / 60_000_000_000) % gap == 0 else { continue }
                for second in stride(from: 0, to: 60, by: 7) {
                    let now = time + .seconds(Int64(second))
                    let version = monitor.chartVersion(of: 0, step: .minutes(15), now: now)
                    let points = Self.shown(monitor.chartSeries(of: 0, range: .hours(24), step: .minutes(15), now: now).points)
                    #expect(points.count == 97)
                    if let drawn, drawn.version == version {
                        #expect(points == drawn.points, "at \(now)")
                    } else {
                        redrawn += 1
                    }
                    drawn = (version, points)
                }
            }
        }
        // Once per sample asked about: the version changes with every sample.
        #expect(redrawn == 600 + 400 / 17 + 300 / 130 + 100 / 3 + 800 / 7 + 2)
    }
}
