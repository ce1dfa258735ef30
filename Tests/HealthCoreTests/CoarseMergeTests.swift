import Testing
@testable import HealthCore

/// A window merges whole coarse buckets where they hold exactly the runs of fine buckets they stand for, and gives the
/// answer the fine buckets give — to the bit, as long as nothing says the two hold other samples or other bins.
struct CoarseMergeTests {
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
        windows.hours.closed[position].storedLevel += 1
        #expect(Self.coarsePieces(windows, over: window, now: now) == before - 1)
        #expect(windows.stats(over: window, now: now) == Self.fineStats(windows, over: window, now: now))
    }
}
