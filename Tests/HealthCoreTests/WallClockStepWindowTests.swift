import HealthCore
import Testing

/// Windows are keyed by wall time, which NTP or a resumed VM may set back or forward by hours.
/// What must hold: nothing recorded is lost or mixed up, short windows keep answering from the
/// samples recorded since the step, and a step forward ages history as if that time had passed.
@Suite struct WallClockStepWindowTests {
    /// An hour boundary.
    static let w1 = Timestamp(seconds: 1_795_003_200)

    /// `count` samples a second, ending at `end`, of `latencyMs`.
    static func feed(_ windows: inout ProbeWindows, count: Int, endingAt end: Timestamp, latencyMs: Double, failing: Bool = false) {
        for i in 0..<count {
            let time = end - .seconds(Int64(count - 1 - i))
            windows.record(Sample(time: time, latencyMs: latencyMs, failure: failing ? ProbeFailure(.refused, "refused") : nil))
        }
    }

    /// Set back 3 h after two hours of 10 ms samples, ten minutes of 300 ms ones: every window
    /// at the new time sees them (the 5 m one from 5 m buckets, as the 1 m tier no longer keeps
    /// that time), and the old history still answers at its own times.
    @Test func afterAStepBackWindowsSeeNewSamplesAndKeepTheOld() {
        var w = ProbeWindows()
        Self.feed(&w, count: 7200, endingAt: Self.w1, latencyMs: 10)
        let now = Self.w1 - .hours(3) + .minutes(10)
        Self.feed(&w, count: 600, endingAt: now, latencyMs: 300)
        let fiveMinutes = w.stats(over: .minutes(5), now: now)
        #expect((300...600).contains(fiveMinutes.count), "\(fiveMinutes)")
        #expect(fiveMinutes.latencyP95.map { abs($0 - 300) < 6 } == true)
        #expect(w.stats(over: .hours(1), now: now).count == 600)
        #expect(w.stats(over: .hours(24), now: Self.w1).count == 7800)
        let oldHour = w.stats(over: .hours(1), now: Self.w1)
        #expect((3600...3660).contains(oldHour.count) && oldHour.latencyP95.map { abs($0 - 10) < 0.2 } == true)
    }

    /// Set forward 3 h: the windows age as if three hours had passed, no more.
    @Test func afterAStepForwardHistoryAgesAsIfTimePassed() {
        var w = ProbeWindows()
        Self.feed(&w, count: 7200, endingAt: Self.w1, latencyMs: 10)
        let now = Self.w1 + .hours(3) + .minutes(5)
        Self.feed(&w, count: 300, endingAt: now, latencyMs: 300)
        #expect(w.stats(over: .minutes(5), now: now).count == 300)
        #expect(w.stats(over: .hours(1), now: now).count == 300)
        #expect(w.stats(over: .hours(24), now: now).count == 7500)
    }

    /// A checkpoint written 3 h "in the future" (the clock was set back since) is kept whole: the
    /// probe is judged on the samples recorded after the restore, none is overdue, and once the
    /// clock is past the checkpoint every sample of both is in the windows.
    @Test func aCheckpointFromTheFutureIsKeptAndNewSamplesCountBesideIt() throws {
        var rules = ProbeRules(name: "db", kind: "tcp")
        rules.interval = .seconds(1)
        let spec = MonitorSpec(probes: [rules], snapshotWindows: [.minutes(5)])
        var before = Monitor(spec: spec, startedAt: Self.w1 - .hours(2))
        for s in 0..<7200 { before.ingest(Sample(time: Self.w1 - .seconds(Int64(7199 - s)), latencyMs: 10), probe: 0) }
        let bytes = before.checkpoint(now: Self.w1, writer: "test")

        let start = Self.w1 - .hours(3)
        var after = Monitor(spec: spec, startedAt: start)
        let report = try after.restore(from: bytes)
        #expect(report.writtenAhead(of: start) == .hours(3))
        #expect(report.writtenAhead(of: Self.w1 + .seconds(1)) == nil)
        for s in 1...600 {
            after.ingest(Sample(time: start + .seconds(Int64(s)), latencyMs: 5, failure: ProbeFailure(.refused, "refused")), probe: 0)
        }
        let now = start + .seconds(600)
        let probe = after.snapshot(now: now).probes[0]
        #expect(probe.health == .down)
        #expect(!probe.overdue)
        #expect(probe.windows[0].1.count >= 300 && probe.windows[0].1.failures == probe.windows[0].1.count)
        #expect(after.entries[0].windows.stats(over: .hours(24), now: Self.w1 + .seconds(1)).count == 7800)
    }
}
