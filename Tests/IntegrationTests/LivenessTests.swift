import Testing
@testable import HealthDaemon

/// What decides whether the watchdog is fed, and how many denied admin requests are audited:
/// pure, with the time passed in.
@Suite struct LivenessTests {
    let second: Int64 = 1_000_000_000

    @Test func fedWhileLoopEngineAndResultsAllBeat() {
        let l = Liveness()
        l.expectResults(within: 3 * second, now: 0)
        l.loopTurned(at: 10 * second)
        l.engineTurned(at: 10 * second)
        l.resultArrived(at: 9 * second)
        #expect(l.stall(now: 10 * second, slack: 2 * second) == nil)
        // The loop stops turning.
        #expect(l.stall(now: 13 * second, slack: 2 * second) == "the event loop has not turned")
        l.loopTurned(at: 13 * second)
        #expect(l.stall(now: 13 * second, slack: 2 * second) == "the engine has not taken its events")
        l.engineTurned(at: 13 * second)
        // Results stopped at 9 s; the grace (3 s) plus slack (2 s) ran out at 14 s.
        #expect(l.stall(now: 13 * second, slack: 2 * second) == nil)
        l.loopTurned(at: 15 * second)
        l.engineTurned(at: 15 * second)
        #expect(l.stall(now: 15 * second, slack: 2 * second) == "no probe result has arrived")
    }

    @Test func withoutProbesNoResultsAreExpected() {
        let l = Liveness()
        l.expectResults(within: 0, now: 0)
        l.loopTurned(at: 100 * second)
        l.engineTurned(at: 100 * second)
        #expect(l.stall(now: 100 * second, slack: second) == nil)
    }

    @Test func deniedAuditsAreRateLimitedAndCounted() {
        var budget = DeniedAuditBudget()
        var recorded = 0
        for _ in 0..<200 where budget.take(now: 0) != .suppress { recorded += 1 }
        #expect(recorded == 20, "a burst of 20")
        // Six seconds later one more is recorded, saying how many were left out.
        #expect(budget.take(now: 6 * second) == .record(suppressed: 180))
        #expect(budget.take(now: 6 * second) == .suppress)
        #expect(budget.take(now: 12 * second) == .record(suppressed: 1))
    }
}
