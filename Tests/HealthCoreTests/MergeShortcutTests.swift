import Testing
@testable import HealthCore

/// Reading less for the same answer: a window merges whole coarse buckets where they hold exactly the runs of fine
/// buckets they stand for, and a history point of one bucket reads its quantiles from the bucket's prefix. Each gives
/// the answer of the full merge, to the bit, as long as nothing says the two hold other samples or other bins.
struct MergeShortcutTests {
    typealias Timeline = RollingWindowTests.Timeline

    /// 30 hours at 1 Hz of lognormal σ = 1 latencies; every 50th fails; integral values, so sums are exact in any order.
    static let day: Timeline = {
        var timeline = Timeline()
        var rng = RollingWindowTests.SplitMix64(state: 5)
        timeline.feed(from: RollingWindowTests.epoch + .milliseconds(300), every: .seconds(1), count: 30 * 3600) { i, time in
            Sample(time: time, latencyMs: rng.lognormal(median: 50, sigma: 1), value: Double(i % 977),
                   failure: i % 50 == 3 ? ProbeFailure(.timeout, "timed out") : nil)
        }
        return timeline
    }()
    static let dayEnd = RollingWindowTests.epoch + .hours(30)

    /// The plain merge of a tier's buckets, which `stats(over:now:)` takes coarse buckets into.
    static func fineStats(_ windows: ProbeWindows, over window: TimeSpan, now: Timestamp) -> WindowStats {
        let start = ProbeWindows.start(of: window, now: now)
        return switch windows.tier(covering: window, from: start) {
        case .minutes: windows.minutes.stats(from: start, through: now)
        case .fiveMinutes: windows.fiveMinutes.stats(from: start, through: now)
        case .quarterHours: windows.quarterHours.stats(from: start, through: now)
        case .hours: windows.hours.stats(from: start, through: now)
        }
    }

    /// How many coarse buckets the window merges in place of runs of fine ones.
    static func coarsePieces(_ windows: ProbeWindows, over window: TimeSpan, now: Timestamp) -> Int? {
        let start = ProbeWindows.start(of: window, now: now)
        func count<let f: Int, let c: Int>(_ fine: ProbeWindows.Tier<f>, _ coarse: ProbeWindows.Tier<c>) -> Int {
            var pieces = 0
            fine.forEachPiece(fine.index(of: start)..<fine.index(of: now) + 1, via: coarse) { if case .coarse = $0 { pieces += 1 } }
            return pieces
        }
        return switch windows.tier(covering: window, from: start) {
        case .minutes: count(windows.minutes, windows.fiveMinutes)
        case .fiveMinutes: count(windows.fiveMinutes, windows.quarterHours)
        case .quarterHours: count(windows.quarterHours, windows.hours)
        case .hours: nil
        }
    }

    static let cases: [(TimeSpan, TimeSpan)] = [
        (.minutes(30), .seconds(0)), (.minutes(50), .seconds(7)), (.hours(2), .seconds(0)), (.hours(5), .minutes(3)),
        (.hours(6), .minutes(11)), (.hours(12), .seconds(0)), (.hours(24), .seconds(0)), (.hours(24), .minutes(7)),
        (.hours(23), .seconds(1)),
    ]

    @Test(arguments: cases.indices)
    func coarseBucketsGiveTheAnswerOfTheFineOnes(_ index: Int) {
        let (window, back) = Self.cases[index]
        let now = Self.dayEnd - back
        let windows = Self.day.windows
        #expect(windows.stats(over: window, now: now) == Self.fineStats(windows, over: window, now: now))
        // And they were used: every window here spans two coarse steps or more, so whole ones lie inside (unless the
        // hour tier serves it, which has none coarser).
        if let pieces = Self.coarsePieces(windows, over: window, now: now) { #expect(pieces > 0) }
    }

    /// A day on the hour: 23 whole hours, the newest one holding the quarter-hour being recorded into is left out.
    @Test func aDayOnTheHourMergesTwentyThreeHours() {
        #expect(Self.coarsePieces(Self.day.windows, over: .hours(24), now: Self.dayEnd) == 23)
    }

    /// A sample the coarse tier holds and the fine one does not (a late one the fine tier had dropped) makes the
    /// counts differ: that coarse bucket is not used.
    @Test func aCoarseBucketHoldingOtherSamplesIsPassedOver() throws {
        var windows = Self.day.windows
        let now = Self.dayEnd, window = TimeSpan.hours(24)
        let before = try #require(Self.coarsePieces(windows, over: window, now: now))
        let late = Sample(time: now - .hours(20), latencyMs: 40_000, failure: nil)
        windows.hours.record(late, latencyKey: LatencyScale.key(for: late.latencyMs))
        #expect(Self.coarsePieces(windows, over: window, now: now) == before - 1)
        #expect(windows.stats(over: window, now: now) == Self.fineStats(windows, over: window, now: now))
        #expect(windows.stats(over: window, now: now).latencyP99 != nil)
    }

    /// A coarse bucket at a coarser level than any fine one would coarsen the answer: it is not used.
    @Test func aCoarserBucketIsPassedOver() throws {
        var windows = Self.day.windows
        let now = Self.dayEnd, window = TimeSpan.hours(24)
        let before = try #require(Self.coarsePieces(windows, over: window, now: now))
        let position = try #require(windows.hours.closed.indices.dropLast(3).last)
        var coarser = windows.hours.closed[position]
        coarser.storedLevel += 1
        windows.hours.closed.replace(at: position, with: coarser)
        #expect(Self.coarsePieces(windows, over: window, now: now) == before - 1)
        #expect(windows.stats(over: window, now: now) == Self.fineStats(windows, over: window, now: now))
    }

    /// Every history point equals the full merge of the buckets it covers, however many it reads without decoding.
    @Test(arguments: [(TimeSpan.hours(1), TimeSpan.minutes(1), ProbeWindows.TierName.minutes),
                      (.hours(6), .minutes(5), .fiveMinutes), (.hours(24), .minutes(15), .quarterHours),
                      (.hours(29), .hours(1), .hours), (.hours(24), .minutes(30), .quarterHours),
                      (.hours(3), .minutes(2), .fiveMinutes)])
    func historyPointsAreTheFullMerge(range: TimeSpan, step: TimeSpan, tier: ProbeWindows.TierName) {
        let windows = Self.day.windows, now = Self.dayEnd - .seconds(1)
        let points = windows.series(range: range, step: step, now: now)
        #expect(points.count == Int(range.nanoseconds / step.nanoseconds) + 1)
        for point in points {
            var totals = ProbeWindows.BucketTotals()
            let interval = point.start..<point.start + step
            switch tier {
            case .minutes: windows.minutes.accumulate(windows.minutes.indices(startingIn: interval), into: &totals)
            case .fiveMinutes: windows.fiveMinutes.accumulate(windows.fiveMinutes.indices(startingIn: interval), into: &totals)
            case .quarterHours: windows.quarterHours.accumulate(windows.quarterHours.indices(startingIn: interval), into: &totals)
            case .hours: windows.hours.accumulate(windows.hours.indices(startingIn: interval), into: &totals)
            }
            #expect(point.stats == totals.stats, "\(point.start)")
        }
    }

    /// A week on the hour merges six whole days and the hours of the newest one, and gives the answer of 169 hours;
    /// the days are rebuilt from the hours when history is restored, so a restored week reads them too.
    @Test func aWeekMergesWholeDays() throws {
        let windows = RollingWindowTests.steady.windows, now = RollingWindowTests.steadyEnd
        let start = ProbeWindows.start(of: .days(7), now: now)
        var days = 0
        windows.hours.forEachPiece(windows.hours.index(of: start)..<windows.hours.index(of: now) + 1, via: windows.days) {
            if case .coarse = $0 { days += 1 }
        }
        #expect(days == 6)
        #expect(windows.stats(over: .days(7), now: now) == windows.hours.stats(from: start, through: now))
        let weekly = ProbeRules(name: "p", kind: "tcp", degraded: [try Condition(parsing: "latency.p95(7d) > 1s")])
        var monitor = Monitor(spec: MonitorSpec(probes: [weekly]))
        monitor.replaceWindows(of: 0, with: windows)
        var restored = Monitor(spec: MonitorSpec(probes: [weekly]))
        _ = try restored.restore(from: monitor.checkpoint(now: now, writer: "test"))
        #expect(restored.entries[0].windows.days.closed.map(\.index) == windows.days.closed.map(\.index))
        #expect(restored.entries[0].windows.stats(over: .days(7), now: now) == windows.stats(over: .days(7), now: now))
    }

    /// A probe whose conditions, burn rates and snapshot read no window longer than a day keeps no days; a longer
    /// window is still answered, from the hours, the same.
    @Test func onlyProbesWithWindowsPastADayKeepDays() throws {
        let windows = RollingWindowTests.steady.windows, now = RollingWindowTests.steadyEnd
        var slo = ProbeRules(name: "slo", kind: "tcp")
        slo.slo = SLO(objective: 0.999)  // its default burn rates read 3 d
        let probes = [ProbeRules(name: "daily", kind: "tcp", degraded: [try Condition(parsing: "error_rate(24h) > 1%")]), slo,
                      ProbeRules(name: "weekly", kind: "tcp", down: [try Condition(parsing: "availability(7d) < 99%")])]
        var monitor = Monitor(spec: MonitorSpec(probes: probes))
        for i in probes.indices { monitor.replaceWindows(of: i, with: windows) }
        #expect(monitor.entries.map { $0.windows.days.closed.count } == [0, 6, 6])
        #expect(monitor.entries[0].windows.stats(over: .days(7), now: now) == windows.stats(over: .days(7), now: now))
        // A snapshot window past a day makes every probe keep them.
        var wide = Monitor(spec: MonitorSpec(probes: [probes[0]], snapshotWindows: [.minutes(5), .days(7)]))
        wide.replaceWindows(of: 0, with: windows)
        #expect(wide.entries[0].windows.days.closed.count == 6)
    }
}

extension ProbeWindows.Tier {
    /// The full merge of the buckets from the one holding `start` through the one holding `now`, without shortcuts:
    /// what the shortcuts must equal.
    func stats(from start: Timestamp, through now: Timestamp) -> WindowStats {
        var totals = ProbeWindows.BucketTotals()
        accumulate(index(of: start)..<index(of: now) + 1, into: &totals)
        return totals.stats
    }
}
