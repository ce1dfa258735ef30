import Testing
@testable import HealthCore

@Suite struct FlapDetectorTests {
    @Test func weightedPercentByHand() {
        var f = FlapDetector()
        // 21 results with a single change at the newest transition: weight 1.2 of 20 transitions = 6%.
        for _ in 0..<20 { f.record(.healthy, low: 5, high: 20) }
        f.record(.down, low: 5, high: 20)
        #expect(abs(f.percent - 6) < 1e-9)
        // One more result pushes that change back one place: weight 0.8 + 0.4·18/19.
        f.record(.down, low: 5, high: 20)
        #expect(abs(f.percent - (0.8 + 0.4 * 18 / 19) / 20 * 100) < 1e-9)
        #expect(!f.flapping)
    }

    @Test func startsAboveHighStopsBelowLow() {
        var f = FlapDetector()
        var changes: [Bool] = []
        let pattern: [Health] = [.healthy, .down, .healthy, .down, .healthy, .down]
        for h in pattern { changes.append(f.record(h, low: 5, high: 20)) }
        // Five alternations among six results: the newest five weights of 20 ≈ 28.9% > 20%.
        #expect(f.flapping)
        #expect(changes.filter { $0 }.count == 1)
        for _ in 0..<14 { f.record(.healthy, low: 5, high: 20) }
        #expect(f.flapping, "still above the low threshold while the changes are inside the 21")
        for _ in 0..<6 { f.record(.healthy, low: 5, high: 20) }
        #expect(!f.flapping, "one change left, at the oldest weight: 4% < 5%")
        #expect(abs(f.percent - 4) < 1e-9)
        f.record(.healthy, low: 5, high: 20)
        #expect(f.percent == 0)
    }

    @Test func steadyNeverFlaps() {
        var f = FlapDetector()
        for _ in 0..<100 { f.record(.degraded, low: 5, high: 20) }
        #expect(!f.flapping && f.percent == 0)
    }

    @Test func monitorReportsFlappingInSnapshot() {
        var m = Monitor(spec: MonitorSpec(probes: [ProbeRules(name: "p", kind: "tcp", failureThreshold: 1)]))
        var t = Timestamp(seconds: 1_795_000_000)
        for i in 0..<8 {
            m.ingest(Sample(time: t, latencyMs: 1, failure: i % 2 == 0 ? nil : ProbeFailure(.refused, "x")), probe: 0)
            t = t + .seconds(10)
        }
        let s = m.snapshot(now: t)
        #expect(s.probes[0].flapping)
        #expect(s.json().contains("\"flapping\":true"))
    }
}

@Suite struct BurnRateTests {
    /// 1 h of samples every 10 s (360), the last `recentFailures` of which in the last 5 minutes failed,
    /// plus `olderFailures` spread earlier in the hour.
    func windows(olderFailures: Int, recentFailures: Int, end: Timestamp) -> ProbeWindows {
        var w = ProbeWindows()
        let start = end - .hours(1)
        for i in 0..<360 {
            let t = start + .seconds(Int64(i) * 10 + 10)
            let recent = i >= 330  // the last 30 samples = the last 5 minutes
            let failed = recent ? i - 330 < recentFailures : i < olderFailures
            w.record(Sample(time: t, latencyMs: 1, failure: failed ? ProbeFailure(.timeout, "t") : nil))
        }
        return w
    }

    @Test func bothWindowsMustBurn() {
        let end = Timestamp(seconds: 1_795_000_000)
        let slo = SLO(objective: 0.999, windows: [SLO.Window(long: .hours(1), short: .minutes(5), burn: 14.4, level: .down)])
        // 6 failures in the last 5 min: short 6/30 = 20% → burn 200; long 6/360 = 1.67% → burn 16.7 > 14.4.
        let hot = windows(olderFailures: 0, recentFailures: 6, end: end)
        let judged = slo.judge(hot, now: end)
        #expect(judged?.0 == .down)
        #expect(judged?.1 == "error budget burning 16.667× over 1h and 200× over 5m > 14.4× (objective 99.9%)")
        // 5 failures: long 5/360 = 1.39% → burn 13.9 < 14.4, though the short window burns at 167.
        #expect(slo.judge(windows(olderFailures: 0, recentFailures: 5, end: end), now: end) == nil)
        // 10 failures early in the hour, none recent: long burns at 27.8 but short at 0 — already over.
        #expect(slo.judge(windows(olderFailures: 10, recentFailures: 0, end: end), now: end) == nil)
    }

    @Test func worstPairWins() {
        let end = Timestamp(seconds: 1_795_000_000)
        let slo = SLO(objective: 0.99, windows: [
            SLO.Window(long: .hours(1), short: .minutes(5), burn: 2, level: .degraded),
            SLO.Window(long: .hours(1), short: .minutes(5), burn: 10, level: .down),
        ])
        // 10% long (burn 10 — not above 10), 33% short: only the degraded pair fires.
        let w = windows(olderFailures: 26, recentFailures: 10, end: end)
        #expect(slo.judge(w, now: end)?.0 == .degraded)
        let w2 = windows(olderFailures: 27, recentFailures: 10, end: end)
        #expect(slo.judge(w2, now: end)?.0 == .down)
    }

    @Test func defaultsAreTheWorkbooksPairs() {
        let d = SLO.defaultWindows
        #expect(d.map(\.burn) == [14.4, 6, 1])
        #expect(d.map(\.long) == [.hours(1), .hours(6), .days(3)])
        #expect(d.map(\.short) == [.minutes(5), .minutes(30), .hours(6)])
        #expect(d.map(\.level) == [.down, .down, .degraded])
    }

    @Test func probeStateUsesTheSLO() {
        var rules = ProbeRules(name: "p", kind: "http", failureThreshold: 100)
        rules.slo = SLO(objective: 0.999)
        var t = Timeline(rules)
        for i in 0..<360 { if i >= 354 { t.fail() } else { t.ok() } }
        #expect(t.state.health == .down)
        #expect(t.state.reasons.first?.hasPrefix("error budget burning") == true)
    }
}
