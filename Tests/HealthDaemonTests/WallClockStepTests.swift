import HealthCore
import Testing
@testable import HealthDaemon

/// What real machines do to wall time, while probing: NTP or a resumed VM sets the clock back or
/// forward by hours. Pacing is monotonic; alert timers measure time that passed; no storm, no
/// false resolve.
@Suite struct WallClockStepTests {
    static let steps: [TimeSpan] = [.hours(-3), .hours(3)]

    @Test func onlyStepsAreTold() {
        var steps = WallClockSteps()
        #expect(steps.step(monotonic: 0, wall: 5_000 * second) == nil)
        // A slewing clock: 0.5 ms a second, for a minute.
        #expect(steps.step(monotonic: 60 * second, wall: 5_060 * second + 30 * ms) == nil)
        #expect(steps.step(monotonic: 61 * second, wall: 5_061 * second + 30 * ms - 3600 * second) == -3600 * second)
        #expect(steps.step(monotonic: 62 * second, wall: 5_062 * second + 30 * ms - 3600 * second) == nil)
    }

    /// A pending alert fires when its `for` has passed, whichever way the clock was set meanwhile.
    @Test(arguments: steps)
    func aPendingAlertFiresAfterItsForWhateverTheClockDoes(step: TimeSpan) async throws {
        let rule = AlertRule(probes: ["a"], minLevel: .down, holdFor: .minutes(5), hooks: ["ops"])
        let rig = EngineRig(probes: [probe("a")], rules: [rule])
        rig.answers["a"] = .fail
        await rig.run(.minutes(1))
        let down = try #require(rig.record.publishes.first { $0.snapshot.health == .down }).at
        rig.clock.stepWall(step)
        await rig.run(.minutes(5))
        #expect(rig.record.steps == [step])
        #expect(rig.notified() == ["firing:a:down"])
        let fired = try #require(rig.record.notifications.first).at
        #expect((down + 300 * second...down + 301 * second + 100 * ms).contains(fired), "fired \(Double(fired - down) / 1e9) s after down")
    }

    /// Ten alerts firing with `repeat: 1h`: a step of the clock sends nothing early and holds
    /// nothing back; each repeats an hour after it fired.
    @Test(arguments: steps)
    func repeatsKeepTheirPaceAcrossAStep(step: TimeSpan) async throws {
        let names = (0..<10).map { "p\($0)" }
        let rule = AlertRule(probes: ["p*"], minLevel: .down, repeatEvery: .hours(1), hooks: ["ops"])
        let rig = EngineRig(probes: names.map { probe($0, interval: .seconds(10)) }, rules: [rule])
        for n in names { rig.answers[n] = .fail }
        await rig.run(.minutes(1), tick: .seconds(1))
        #expect(rig.notified().count == 10)
        let fired = rig.record.notifications.map(\.at).max()!
        rig.clock.stepWall(step)
        await rig.run(.minutes(58), tick: .seconds(1))
        #expect(rig.notified(after: fired).isEmpty, "sent after the step: \(rig.notified(after: fired))")
        await rig.run(.minutes(2), tick: .seconds(1))
        #expect(rig.notified(after: fired) == names.map { "repeated:\($0):down" })
    }

    /// Silences keep their wall times: set forward past a silence's end, the alert it held is told
    /// within a second.
    @Test func aSilenceEndsWhenTheClockPassesItsEnd() async {
        let rig = EngineRig.silencedFailure(until: .hours(1))
        await rig.run(.seconds(30))
        #expect(rig.notified().isEmpty)
        rig.clock.stepWall(.hours(2))
        await rig.run(.seconds(1))
        #expect(rig.notified() == ["firing:a:down"])
    }

    /// Set forward by hours, the clock skips time the probes did not: none shows as overdue.
    @Test func aStepForwardMakesNoProbeOverdue() async {
        let rig = EngineRig(probes: [probe("a", interval: .seconds(10)), probe("b", interval: .seconds(10))])
        await rig.run(.seconds(30))
        let before = rig.record.publishes.count
        rig.clock.stepWall(.hours(3))
        await rig.run(.seconds(30))
        let after = rig.record.publishes.dropFirst(before)
        #expect(!after.isEmpty)
        #expect(after.allSatisfy { $0.snapshot.probes.allSatisfy { !$0.overdue } })
    }

    /// A probe degraded by its 5-minute p95 stays degraded through a step of hours either way: its
    /// windows still see its samples, so its alert neither resolves nor fires again.
    @Test(arguments: steps)
    func noFalseResolveAcrossAStep(step: TimeSpan) async throws {
        let slow = try Condition(parsing: "latency.p95(5m) > 100ms")
        let rule = AlertRule(probes: ["a"], minLevel: .degraded, hooks: ["ops"])
        let rig = EngineRig(probes: [probe("a", degraded: [slow])], rules: [rule])
        rig.answers["a"] = .ok(latencyMs: 300)
        // Past the raw ring (6 minutes), so the windows answer from their tiers.
        await rig.run(.minutes(8), tick: .seconds(1))
        #expect(rig.notified() == ["firing:a:degraded"])
        rig.clock.stepWall(step)
        await rig.run(.minutes(10), tick: .seconds(1))
        #expect(rig.notified() == ["firing:a:degraded"])
        let last = try #require(rig.record.publishes.last?.snapshot.probes.first)
        #expect(last.health == .degraded)
        #expect(last.windows.first.map { $0.1.count >= 250 } == true, "5m window: \(String(describing: last.windows.first?.1))")
    }
}
