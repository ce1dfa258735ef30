import HealthCore
import Testing

extension RollingWindowTests {
    /// A synthetic probe history fed through an injected timeline, kept alongside for brute-force expectations.
    struct Timeline {
        var windows = ProbeWindows()
        var samples: [Sample] = []

        /// Records `count` samples `every` apart starting at `start`; `make(i, time)` builds the i-th one.
        mutating func feed(from start: Timestamp, every interval: TimeSpan, count: Int,
                           _ make: (Int, Timestamp) -> Sample) {
            for i in 0..<count {
                let sample = make(i, start + interval * Int64(i))
                windows.record(sample)
                samples.append(sample)
            }
        }

        /// The exact answer `stats(over:now:)` approximates.
        func exactStats(over window: TimeSpan, now: Timestamp) -> WindowStats {
            let inWindow = samples.filter { $0.time > now - window && $0.time <= now }
            let latencies = inWindow.filter(\.ok).map(\.latencyMs).sorted()
            let values = inWindow.compactMap(\.value)
            return WindowStats(
                count: inWindow.count, failures: inWindow.count { !$0.ok },
                latencyP50: latencies.isEmpty ? nil : orderStatistic(0.5, latencies),
                latencyP95: latencies.isEmpty ? nil : orderStatistic(0.95, latencies),
                latencyP99: latencies.isEmpty ? nil : orderStatistic(0.99, latencies),
                valueMin: values.min(), valueMax: values.max(),
                valueAvg: values.isEmpty ? nil : values.reduce(0, +) / Double(values.count), valueLast: values.last)
        }

        /// The exact answer `value(at:now:)` approximates.
        func exactValue(at time: Timestamp) -> Double? { samples.last { $0.time <= time && $0.value != nil }?.value }
    }

    /// An hour boundary, so `now` can be placed on bucket boundaries of every tier.
    static let epoch = Timestamp(nanoseconds: 1_700_002_800 * 1_000_000_000)

    /// Eight days (longer than the 7-day retention) of one sample per 10 s, 3 s past each 10 s mark so no sample
    /// sits on a bucket boundary. Every 20th fails; two in three carry their index as value; latencies are lognormal.
    static let steady: Timeline = {
        var timeline = Timeline()
        var rng = SplitMix64(state: 3)
        timeline.feed(from: epoch + .seconds(3), every: .seconds(10), count: 8 * 8640) { i, time in
            Sample(time: time, latencyMs: Skewed.lognormal.draw(&rng), value: i % 3 == 0 ? nil : Double(i),
                   failure: i % 20 == 7 ? ProbeFailure(.timeout, "timed out") : nil)
        }
        return timeline
    }()
    static let steadyEnd = epoch + .days(8)

    /// Latency quantiles within 2 % and everything else exact.
    static func expectClose(_ stats: WindowStats, _ exact: WindowStats) {
        #expect(stats.count == exact.count)
        #expect(stats.failures == exact.failures)
        #expect(stats.availability == exact.availability)
        #expect(stats.errorRate == exact.errorRate)
        #expect(stats.valueMin == exact.valueMin)
        #expect(stats.valueMax == exact.valueMax)
        #expect(stats.valueAvg == exact.valueAvg)
        #expect(stats.valueLast == exact.valueLast)
        for q in [0.5, 0.95, 0.99] {
            if let exactLatency = exact.latency(quantile: q) {
                #expect(relativeError(stats.latency(quantile: q), exactLatency) <= 0.02, "q = \(q)")
            } else {
                #expect(stats.latency(quantile: q) == nil)
            }
        }
    }

    @Suite struct ProbeWindowsTests {
        static let windows: [TimeSpan] = [.minutes(5), .hours(1), .hours(6), .hours(24), .days(7)]

        @Test(arguments: ProbeWindowsTests.windows)
        func bucketAlignedWindowsMatchTheExactAnswer(_ window: TimeSpan) {
            let stats = steady.windows.stats(over: window, now: steadyEnd)
            expectClose(stats, steady.exactStats(over: window, now: steadyEnd))
        }

        @Test(arguments: ProbeWindowsTests.windows)
        func unalignedWindowsAddAtMostOneBucketOfOlderHistory(_ window: TimeSpan) {
            let now = steadyEnd - .seconds(5)  // just after the last sample, mid-bucket for every tier
            let stats = steady.windows.stats(over: window, now: now), exact = steady.exactStats(over: window, now: now)
            if window <= .minutes(5) {
                // The raw samples of the last 6 minutes: exact.
                expectClose(stats, exact)
            } else {
                let tierStep: TimeSpan =
                    window <= .hours(1) ? .minutes(1) : window <= .hours(6) ? .minutes(5) : window <= .hours(24) ? .minutes(15) : .hours(1)
                #expect(stats.count >= exact.count)
                #expect(stats.count - exact.count <= Int(tierStep.nanoseconds / TimeSpan.seconds(10).nanoseconds))
                #expect(stats.valueLast == exact.valueLast)
            }
        }

        /// At 1 Hz a bucket sees more distinct latencies of these skewed distributions than its sketch bytes hold at
        /// α₀, so its sketch halves its resolution, but never past α₃ = 1.92 %: every quantile of every window stays
        /// within 2 %. 26 hours at 1 Hz fill hour buckets exactly as a week would, so the 7d window (from the 1h tier)
        /// merges 27 of them.
        @Test(arguments: Skewed.allCases)
        func quantilesStayWithinTwoPercentAtOneSamplePerSecond(_ distribution: Skewed) {
            var timeline = Timeline()
            var rng = SplitMix64(state: 5)
            timeline.feed(from: epoch + .milliseconds(500), every: .seconds(1), count: 26 * 3600) { _, time in
                Sample(time: time, latencyMs: distribution.draw(&rng))
            }
            let now = epoch + .hours(26)
            for window in Self.windows {
                let stats = timeline.windows.stats(over: window, now: now)
                let exact = timeline.exactStats(over: window, now: now)
                #expect(stats.count == exact.count, "\(window)")
                for q in [0.5, 0.95, 0.99] {
                    let error = relativeError(stats.latency(quantile: q), exact.latency(quantile: q)!)
                    #expect(error <= coarsestAccuracy, "p\(Int(q * 100)) over \(window)")
                }
            }
        }

        /// Closed buckets keep α₂ = 0.96 % (they are coarsened to it when they close), so for data narrow enough
        /// never to need α₃ — a typical service's σ = 0.3 and the bimodal mix — every window stays within 1 %.
        @Test(arguments: [0, 1])
        func quantilesStayWithinOnePercentForNarrowData(_ kind: Int) {
            var timeline = Timeline()
            var rng = SplitMix64(state: 11)
            timeline.feed(from: epoch + .milliseconds(500), every: .seconds(1), count: 26 * 3600) { _, time in
                Sample(time: time, latencyMs: kind == 0 ? rng.lognormal(median: 20, sigma: 0.3) : Skewed.bimodal.draw(&rng))
            }
            let now = epoch + .hours(26)
            for window in Self.windows {
                let stats = timeline.windows.stats(over: window, now: now)
                let exact = timeline.exactStats(over: window, now: now)
                for q in [0.5, 0.95, 0.99] {
                    let error = relativeError(stats.latency(quantile: q), exact.latency(quantile: q)!)
                    #expect(error <= 0.01, "p\(Int(q * 100)) over \(window)")
                }
            }
        }

        @Test func aGapOfTwoDaysLeavesNoGhostData() {
            var timeline = Timeline()
            timeline.feed(from: epoch + .seconds(3), every: .seconds(10), count: 8640) { _, time in
                Sample(time: time, latencyMs: 900, value: -1, failure: ProbeFailure(.refused, "refused"))
            }
            // At 1 Hz the ring no longer reaches back an hour, so every window but 5m is answered by a tier.
            let resumed = epoch + .days(3)
            timeline.feed(from: resumed + .milliseconds(500), every: .seconds(1), count: 7200) { i, time in
                Sample(time: time, latencyMs: 10, value: Double(i))
            }
            let now = resumed + .hours(2)
            for window in Self.windows.dropLast() {
                let stats = timeline.windows.stats(over: window, now: now)
                #expect(stats.count == min(Int(window.nanoseconds / 1_000_000_000), 7200), "\(window)")
                #expect(stats.availability == 1, "\(window)")
                #expect(stats.valueMin! >= 0, "\(window)")
                #expect(relativeError(stats.latencyP99, 10) <= 0.01, "\(window)")
            }
            let week = timeline.windows.stats(over: .days(7), now: now)
            #expect(week.count == 8640 + 7200)
            #expect(week.failures == 8640)
            #expect(week.valueMin == -1)

            let hourly = timeline.windows.series(range: .hours(24), step: .hours(1), now: now)
            #expect(hourly.map(\.stats.count) == Array(repeating: 0, count: 22) + [3600, 3600, 0])
            let quarterHourly = timeline.windows.series(range: .hours(24), step: .minutes(15), now: now)
            #expect(quarterHourly.reduce(0) { $0 + $1.stats.count } == 7200)
        }

        @Test func samplesOlderThanTheRetentionAreIgnoredButLateOnesCount() {
            var windows = steady.windows
            // With `now` half an hour back, the 7d window reaches into an hour bucket the 1h tier still holds.
            let now = steadyEnd - .minutes(30)
            let before = windows.stats(over: .days(7), now: now)
            windows.record(Sample(time: steadyEnd - .days(7) - .minutes(15), latencyMs: 1))
            #expect(windows.stats(over: .days(7), now: now) == before)

            // 30 s out of order: still lands in the ring and in every tier, but does not become the newest value.
            let newest = steady.exactValue(at: steadyEnd)
            windows.record(Sample(time: steadyEnd - .seconds(30), latencyMs: 1, value: -5,
                                  failure: ProbeFailure(.dns, "nxdomain")))
            for window in Self.windows {
                let stats = windows.stats(over: window, now: steadyEnd)
                #expect(stats.failures == steady.windows.stats(over: window, now: steadyEnd).failures + 1, "\(window)")
                #expect(stats.valueMin == -5, "\(window)")
                #expect(stats.valueLast == newest, "\(window)")
            }
            #expect(windows.value(at: steadyEnd, now: steadyEnd) == newest)
        }

        @Test(arguments: ProbeWindowsTests.windows)
        func valueAtFindsTheLastValueForDeltas(_ window: TimeSpan) {
            let then = steadyEnd - window
            let value = steady.windows.value(at: then, now: steadyEnd)
            #expect(value != nil)
            #expect(value == steady.exactValue(at: then))
            let last = steady.windows.stats(over: .minutes(5), now: steadyEnd).valueLast!
            #expect(last - value! == steady.exactValue(at: steadyEnd)! - steady.exactValue(at: then)!)
        }

        @Test func valueAtMidBucketFallsBackToTheBucketStart() {
            let start = steadyEnd - .hours(6)  // beyond the ring and the 1m tier: the 5m tier answers
            let value = steady.windows.value(at: start + .seconds(150), now: steadyEnd)
            #expect(value == steady.exactValue(at: start))
            #expect(value! < steady.exactValue(at: start + .seconds(150))!)
        }

        @Test func valueAtIsNilWithoutHistory() {
            #expect(steady.windows.value(at: steadyEnd - .days(7) - .hours(2), now: steadyEnd) == nil)
            #expect(steady.windows.value(at: epoch, now: steadyEnd) == nil)
            var windows = ProbeWindows()
            windows.record(Sample(time: epoch, latencyMs: 3))
            #expect(windows.value(at: epoch, now: epoch) == nil)
        }

        @Test func seriesPointsAreConsecutiveAndStepAligned() {
            for (range, step) in [(TimeSpan.hours(1), TimeSpan.minutes(1)), (.hours(6), .minutes(5)),
                                  (.hours(24), .minutes(15)), (.hours(24), .hours(1)), (.days(7), .hours(6))] {
                let now = steadyEnd - .seconds(5)
                let points = steady.windows.series(range: range, step: step, now: now)
                #expect(points.count == Int(range.nanoseconds / step.nanoseconds) + 1, "\(range)/\(step)")
                #expect(points.allSatisfy { $0.start.nanoseconds % step.nanoseconds == 0 })
                #expect(zip(points, points.dropFirst()).allSatisfy { $1.start - $0.start == step })
                #expect(points.last!.start <= now && now < points.last!.start + step)
                // Every point but the partial first and last holds exactly step / 10 s samples.
                let perStep = Int(step.nanoseconds / TimeSpan.seconds(10).nanoseconds)
                #expect(points.dropFirst().dropLast().allSatisfy { $0.stats.count == perStep }, "\(range)/\(step)")
                #expect(points.reduce(0) { $0 + $1.stats.failures } > 0)
            }
        }

        @Test func seriesBelowTheFinestTierStepUsesRawSamples() {
            let points = steady.windows.series(range: .minutes(5), step: .seconds(10), now: steadyEnd)
            #expect(points.count == 31)
            #expect(points.dropLast().allSatisfy { $0.stats.count == 1 })
            #expect(points.last!.stats.count == 0)
            let firstSample = steady.samples.first { $0.time == points[0].start + .seconds(3) }
            #expect(points[0].stats.valueLast == firstSample!.value)
        }

        @Test func seriesWithAnUnalignedStepCountsEachBucketOnce() {
            let range = TimeSpan.hours(6), step = TimeSpan.minutes(7)
            let points = steady.windows.series(range: range, step: step, now: steadyEnd)
            // Answered by the 5m tier: each bucket goes to the point it starts in.
            let bucket = TimeSpan.minutes(5).nanoseconds
            let firstBucketStart = (points[0].start.nanoseconds + bucket - 1) / bucket * bucket
            let expected = steady.samples.count { $0.time.nanoseconds >= firstBucketStart && $0.time <= steadyEnd }
            #expect(points.reduce(0) { $0 + $1.stats.count } == expected)
        }

        @Test func memoryGrowsWithWhatWasSeenWithinBudget() {
            let empty = ProbeWindows()
            // Only the inline fields: no buffer is allocated before a sample comes.
            #expect(empty.approximateBytes == MemoryLayout<ProbeWindows>.size)
            #expect(empty.approximateBytes < 1152)
            var minute = ProbeWindows()
            for s in 0..<60 { minute.record(Sample(time: epoch + .seconds(Int64(s)), latencyMs: 1 + Double(s % 7))) }
            #expect(minute.approximateBytes < 4096)
            #expect(steady.windows.approximateBytes > minute.approximateBytes)
            // Eight days at 10 s with values on two samples in three: value summaries take ~19 KiB of it.
            #expect(steady.windows.approximateBytes <= 80 * 1024)
        }

        @Test func emptyHistoryHasEmptyStats() {
            let windows = ProbeWindows()
            for window in [TimeSpan.minutes(5), .hours(24)] {
                let stats = windows.stats(over: window, now: epoch)
                #expect(stats == WindowStats())
                #expect(stats.availability == nil && stats.errorRate == nil && stats.latencyP50 == nil)
            }
            let points = windows.series(range: .hours(1), step: .minutes(5), now: epoch)
            #expect(points.count == 13 && points.allSatisfy { $0.stats == WindowStats() })
        }

        @Test(arguments: [TimeSpan.minutes(5), .hours(24)])
        func onlyFailuresHaveNoLatencyAndZeroAvailability(_ window: TimeSpan) {
            var timeline = Timeline()
            timeline.feed(from: epoch + .seconds(1), every: .minutes(1), count: 2 * 1440) { _, time in
                Sample(time: time, latencyMs: 5000, failure: ProbeFailure(.timeout, "timed out"))
            }
            let stats = timeline.windows.stats(over: window, now: epoch + .days(2))
            #expect(stats.count == Int(window.nanoseconds / TimeSpan.minutes(1).nanoseconds))
            #expect(stats.availability == 0)
            #expect(stats.errorRate == 1)
            #expect(stats.latencyP50 == nil && stats.latencyP95 == nil && stats.latencyP99 == nil)
            #expect(stats.valueMin == nil && stats.valueLast == nil)
        }

        @Test(arguments: [TimeSpan.minutes(5), .hours(24)])
        func samplesWithoutValuesHaveNoValueStats(_ window: TimeSpan) {
            var timeline = Timeline()
            timeline.feed(from: epoch + .seconds(1), every: .minutes(1), count: 2 * 1440) { _, time in
                Sample(time: time, latencyMs: 20)
            }
            let now = epoch + .days(2)
            let stats = timeline.windows.stats(over: window, now: now)
            #expect(stats.availability == 1 && stats.errorRate == 0)
            #expect(relativeError(stats.latencyP50, 20) <= 0.01)
            #expect(stats.valueMin == nil && stats.valueMax == nil && stats.valueAvg == nil && stats.valueLast == nil)
            #expect(timeline.windows.value(at: now - window, now: now) == nil)
        }

        @Test func latencyQuantileLookupReturnsTheStoredQuantiles() {
            let stats = WindowStats(count: 3, failures: 1, latencyP50: 1, latencyP95: 2, latencyP99: 3)
            #expect([0.5, 0.95, 0.99].map { stats.latency(quantile: $0) } == [1, 2, 3])
            #expect(stats.latency(quantile: 0.9) == nil)
            #expect(stats.availability == 2.0 / 3 && stats.errorRate == 1.0 / 3)
        }
    }
}
