import Foundation
import Testing
@testable import HealthCore
import HealthRender

/// Unproven means unknown: a probe is pending until it succeeds or reaches `failure_threshold`, pending probes count
/// nowhere, and the system is unknown while every critical probe is.
@Suite struct PendingTests {
    let t0 = Timestamp(seconds: 1_795_341_600)

    /// Each run: results in order ("ok" or "fail"), then the health after each (nil: pending).
    @Test(arguments: [
        (["fail", "fail", "fail"], [nil, nil, Health.down]),
        (["fail", "ok"], [nil, .healthy]),
        (["fail", "fail", "ok", "fail", "fail"], [nil, nil, .healthy, .healthy, .healthy]),
        (["ok", "fail", "fail", "fail"], [.healthy, .healthy, .healthy, .down]),
    ] as [([String], [Health?])])
    func pendingUntilASuccessOrTheThreshold(results: [String], healths: [Health?]) {
        var t = Timeline(ProbeRules(name: "p", kind: "tcp", failureThreshold: 3))
        let seen = results.map { $0 == "ok" ? t.ok() : t.fail() }
        #expect(seen == healths)
    }

    /// A fallback that answers measures the same thing: the probe is judged on its value at once.
    @Test func aFailingProbeWithAnAnsweringFallbackIsNotPending() {
        let spec = MonitorSpec(probes: [
            ProbeRules(name: "prom", kind: "prometheus", failureThreshold: 1000, degraded: [try! Condition(parsing: "value > 500ms")],
                       fallback: "sql"),
            ProbeRules(name: "sql", kind: "postgres"),
        ])
        var m = Monitor(spec: spec)
        m.ingest(Sample(time: t0, latencyMs: 1, value: 0.7), probe: 1)
        m.ingest(Sample(time: t0 + .seconds(1), latencyMs: 1, failure: ProbeFailure(.refused, "connection refused")), probe: 0)
        let prom = m.snapshot(now: t0 + .seconds(2)).probes[0]
        #expect(prom.health == .degraded)
        #expect(prom.reasons == ["value 700ms > 500ms"])
        #expect(prom.valueSource == "sql")
    }

    @Test func aPendingProbeSaysWhyAndWhen() {
        var t = Timeline(ProbeRules(name: "p", kind: "tcp", failureThreshold: 3))
        t.fail()
        #expect(t.state.reasons == ["no success yet: 1 of 3 failures before down (refused: boom)"])
        #expect(t.state.since == nil && t.state.consecutiveFailures == 1)
        #expect(t.state.flaps.history.isEmpty, "unknown is no level to flap between")
        t.fail()
        #expect(t.state.reasons == ["no success yet: 2 of 3 failures before down (refused: boom)"])
        let downAt = t.now
        t.fail()
        #expect(t.state.reasons == ["down after 3 consecutive failures (refused: boom)"])
        #expect(t.state.since == downAt)
    }

    func monitor() -> Monitor {
        Monitor(spec: MonitorSpec(
            probes: [
                ProbeRules(name: "db", kind: "postgres"), ProbeRules(name: "api", kind: "http"),
                ProbeRules(name: "blog", kind: "http", critical: false, failureThreshold: 1),
            ],
            components: [ComponentRules(name: "data", patterns: ["db"]), ComponentRules(name: "web", patterns: ["api", "blog"], critical: false)],
            snapshotWindows: []))
    }

    func ok(_ seconds: Int64 = 0) -> Sample { Sample(time: t0 + .seconds(seconds), latencyMs: 1) }
    func failed(_ seconds: Int64 = 0) -> Sample { Sample(time: t0 + .seconds(seconds), latencyMs: 1, failure: ProbeFailure(.refused, "no")) }

    @Test func aFreshSystemIsUnknownNotHealthy() throws {
        let s = monitor().snapshot(now: t0)
        #expect(s.health == nil && s.pendingCount == 3)
        #expect(s.components.map(\.health) == [nil, nil])
        let doc = try JSONSerialization.jsonObject(with: Data(s.json().utf8)) as! [String: Any]
        #expect(doc["health"] is NSNull)
        #expect(doc["pending"] as? Int == 3)
        #expect(!s.prometheusText().contains("\nhealthd_system_health "), "absent while pending, like a pending probe's")
    }

    @Test func theSystemIsUnknownWhileEveryCriticalProbeIsPending() {
        var m = monitor()
        m.ingest(failed(), probe: 0)  // db: a failure, short of the threshold
        m.ingest(failed(), probe: 2)  // blog: not critical, down at once
        var s = m.snapshot(now: t0)
        #expect(s.probes.map(\.health) == [nil, nil, .down])
        #expect(s.pendingCount == 2)
        #expect(s.health == nil, "only a non-critical probe has answered")
        #expect(s.components.map(\.health) == [nil, .down], "a component counts its judged probes only")
        m.ingest(ok(10), probe: 1)
        s = m.snapshot(now: t0 + .seconds(10))
        #expect(s.health == .degraded, "api proved healthy; blog caps at degraded; db still counts nowhere")
        #expect(s.reasons == ["blog: down after 1 consecutive failures (refused: no)"])
        #expect(s.prometheusText().contains("\nhealthd_system_health 1\n"))
    }

    @Test func aProbeThatFailsFromTheStartIsDownAtItsThreshold() {
        var m = monitor()
        for i in 0..<3 { m.ingest(failed(Int64(i) * 10), probe: 0) }
        let s = m.snapshot(now: t0 + .seconds(20))
        #expect(s.probes[0].health == .down && !s.probes[0].pending)
        #expect(s.health == .down)
    }

    /// A restart keeps every probe's level: one that had succeeded is not pending again, and one that was pending
    /// keeps counting toward its threshold.
    @Test func aCheckpointKeepsTheLevel() throws {
        var m = monitor()
        m.ingest(ok(), probe: 0)
        m.ingest(failed(10), probe: 0)
        m.ingest(failed(), probe: 1)
        m.ingest(failed(10), probe: 1)
        var restored = monitor()
        _ = try restored.restore(from: m.checkpoint(now: t0 + .seconds(10), writer: "test"))
        var s = restored.snapshot(now: t0 + .seconds(20))
        #expect(s.probes[0].health == .healthy && s.probes[0].consecutiveFailures == 1)
        #expect(s.probes[1].pending && s.probes[1].consecutiveFailures == 2)
        restored.ingest(failed(20), probe: 1)
        s = restored.snapshot(now: t0 + .seconds(20))
        #expect(s.probes[1].health == .down)
    }

    @Test func pendingNeitherFiresNorResolves() {
        var w = AlertWorld([AlertRule(probes: ["a"], system: true, hooks: ["x"])])
        w.probes["a"] = .some(nil)
        #expect(w.step() == [])
        w.probes["a"] = .down
        #expect(w.step() == ["firing:a:down", "firing:system:down"])
        w.probes["a"] = .some(nil)  // a reload that redefined it: unknown again
        #expect(w.step() == [], "not resolved: nothing is known to be better")
        w.probes["a"] = .healthy
        #expect(w.step() == ["resolved:a:healthy", "resolved:system:healthy"])
    }
}
