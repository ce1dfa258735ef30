import Foundation
import Testing
@testable import HealthCore
import HealthRender

/// No result for more than two intervals: the snapshot says so, as time passes and without any new sample.
@Suite struct OverdueTests {
    let t0 = Timestamp(seconds: 1_795_341_600)

    func monitor(interval: TimeSpan = .seconds(10), startedAt: Timestamp? = nil) -> Monitor {
        var api = ProbeRules(name: "api", kind: "http")
        api.interval = interval
        return Monitor(spec: MonitorSpec(probes: [api], snapshotWindows: []), startedAt: startedAt)
    }

    /// (seconds after the last result, overdue, reasons).
    @Test(arguments: [
        (Int64(0), false, [String]()), (20_000, false, []), (20_001, true, ["no result for 20s (interval 10s)"]),
        (25_400, true, ["no result for 25s (interval 10s)"]), (7_200_000, true, ["no result for 2h (interval 10s)"]),
    ])
    func lateAfterTwoIntervals(milliseconds: Int64, overdue: Bool, reasons: [String]) {
        var m = monitor()
        m.ingest(Sample(time: t0, latencyMs: 1), probe: 0)
        let p = m.snapshot(now: t0 + .milliseconds(milliseconds)).probes[0]
        #expect(p.overdue == overdue)
        #expect(p.reasons == reasons)
        #expect(p.health == .healthy, "late is said, not judged")
    }

    @Test func aProbeThatNeverAnswersIsOverdueFromTheStart() {
        let m = monitor(startedAt: t0)
        #expect(!m.snapshot(now: t0 + .seconds(20)).probes[0].overdue)
        let p = m.snapshot(now: t0 + .seconds(21)).probes[0]
        #expect(p.overdue && p.pending)
        #expect(p.reasons == ["no result for 21s (interval 10s)"])
        #expect(!monitor().snapshot(now: t0 + .days(1)).probes[0].overdue, "no start given: only an answer starts the clock")
    }

    @Test func aRestoredResultIsNotLateUntilTwoIntervalsAfterTheStart() throws {
        var before = monitor()
        before.ingest(Sample(time: t0, latencyMs: 1), probe: 0)
        let start = t0 + .hours(1)
        var after = monitor(startedAt: start)
        _ = try after.restore(from: before.checkpoint(now: t0, writer: "test"))
        #expect(!after.snapshot(now: start + .seconds(5)).probes[0].overdue)
        #expect(after.snapshot(now: start + .seconds(21)).probes[0].overdue)
    }

    @Test func aReloadKeepsWhenAKeptProbeWasLastHeardFrom() {
        var old = monitor(startedAt: t0)
        old.ingest(Sample(time: t0, latencyMs: 1), probe: 0)
        var next = monitor(startedAt: t0 + .seconds(15))
        next.adopt(from: old, probes: ["api"])
        #expect(next.snapshot(now: t0 + .seconds(21)).probes[0].overdue)
    }

    @Test func whenToLookAgainAndAResultEndsIt() {
        var m = monitor(interval: .milliseconds(250), startedAt: t0)
        #expect(m.nextOverdue(after: t0) == t0 + .milliseconds(500) + TimeSpan(nanoseconds: 1))
        #expect(m.nextOverdue(after: t0 + .seconds(1)) == nil, "already overdue: nothing more to wait for")
        #expect(m.snapshot(now: t0 + .milliseconds(600)).probes[0].reasons == ["no result for 600ms (interval 250ms)"])
        m.ingest(Sample(time: t0 + .milliseconds(700), latencyMs: 1), probe: 0)
        m.ingest(Sample(time: t0 + .milliseconds(900), latencyMs: 1), probe: 0)
        let onTime = m.ingest(Sample(time: t0 + .milliseconds(1100), latencyMs: 1), probe: 0)
        #expect(!onTime, "on time, healthy as before: no change")
        let late = m.ingest(Sample(time: t0 + .seconds(2), latencyMs: 1), probe: 0)
        #expect(late, "late, healthy as before: a change all the same")
        #expect(!m.snapshot(now: t0 + .seconds(2)).probes[0].overdue)
        #expect(m.nextOverdue(after: t0 + .seconds(2)) == t0 + .milliseconds(2500) + TimeSpan(nanoseconds: 1))
    }

    @Test func publishedOnlyWhenLate() throws {
        var m = monitor()
        m.ingest(Sample(time: t0, latencyMs: 1), probe: 0)
        let late = m.snapshot(now: t0 + .seconds(30))
        #expect(late.json().contains(#""last_run":"2026-11-22T10:00:00Z","overdue":true,"consecutive_failures":0"#))
        #expect(late.prometheusText().contains("\nhealthd_probe_overdue{probe=\"api\"} 1\n"))
        let onTime = m.snapshot(now: t0 + .seconds(10))
        #expect(!onTime.json().contains("overdue"))
        #expect(onTime.prometheusText().contains("\nhealthd_probe_overdue{probe=\"api\"} 0\n"))
        #expect(late.reasons == ["api: no result for 30s (interval 10s)"])
    }
}
