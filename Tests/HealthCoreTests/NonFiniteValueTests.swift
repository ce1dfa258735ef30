import Testing
@testable import HealthCore

/// NaN and infinities, whatever probe reports them, are no data: no condition holds on them and no window keeps them.
@Suite struct NonFiniteValueTests {
    let t0 = Timestamp(seconds: 1_795_000_000)

    func monitor() throws -> Monitor {
        let conditions = try ["value > 100", "value != 5", "value == 5", "value.avg(7d) > 100", "value.max(5m) > 100",
                              "value.min(5m) < 0", "value.delta(5m) != 0", "value.last(5m) != 5"].map(Condition.init(parsing:))
        return Monitor(spec: MonitorSpec(probes: [ProbeRules(name: "rate", kind: "postgres", degraded: conditions)]))
    }

    @Test(arguments: [(Double.nan, "NaN"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (-Double.nan, "NaN")])
    func aNonFiniteValueIsNoData(value: Double, spelled: String) throws {
        var m = try monitor()
        m.ingest(Sample(time: t0, latencyMs: 1, value: 5), probe: 0)
        m.ingest(Sample(time: t0 + .seconds(10), latencyMs: 1, value: value), probe: 0)
        let p = m.snapshot(now: t0 + .seconds(10)).probes[0]
        #expect(p.health == .healthy)
        #expect(p.reasons == [])
        #expect(p.value == nil && p.noData)
        #expect(p.message == "value is \(spelled): treated as no data")
        let w = m.entries[0].windows.stats(over: .days(7), now: t0 + .seconds(10))
        #expect(w.count == 2)
        #expect(w.valueAvg == 5 && w.valueMin == 5 && w.valueMax == 5 && w.valueLast == 5, "the window kept only the finite value")
        #expect(m.entries[0].state.lastGoodValue == 5)
    }

    @Test func theChecksOwnMessageIsKept() {
        let s = Sample(time: t0, latencyMs: 1, value: .nan, message: "OK - rate").withFiniteValue()
        #expect(s.message == "OK - rate; value is NaN: treated as no data")
        let fine = Sample(time: t0, latencyMs: 1, value: 3, message: "OK")
        #expect(fine.withFiniteValue() == fine)
    }

    @Test func windowsNeverKeepANonFiniteValue() {
        var w = ProbeWindows()
        for (i, v) in [1, Double.nan, 3, .infinity, -.infinity].enumerated() {
            w.record(Sample(time: t0 + .minutes(Int64(i) * 20), latencyMs: 1, value: v))
        }
        let now = t0 + .minutes(80)
        for span in [TimeSpan.minutes(5), .hours(2), .days(7)] {
            let stats = w.stats(over: span, now: now)
            for v in [stats.valueAvg, stats.valueMin, stats.valueMax, stats.valueLast].compactMap({ $0 }) {
                #expect(v.isFinite, "over \(span)")
            }
        }
        #expect(w.stats(over: .days(7), now: now).valueAvg == 2)
        #expect(w.value(at: now, now: now) == 3)
    }

    @Test(arguments: Condition.Op.allCases)
    func noComparisonHoldsOnNaN(op: Condition.Op) {
        #expect(!op.holds(.nan, 5))
        #expect(!op.holds(5, .nan))
        #expect(!op.holds(.nan, .nan))
    }
}
