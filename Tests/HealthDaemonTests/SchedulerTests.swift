import HealthConfig
import HealthCore
import HealthSys
import Testing
@testable import HealthDaemon

/// A scheduler on a manual clock whose attempts answer after `answerAfter` (never, when nil), with
/// every start and every result recorded at the monotonic time it happened.
final class SchedulerRig {
    final class Attempt: ProbeAttempt {
        let clock: ManualClock
        let answerAfter: TimeSpan?
        var timer: TimerID?
        var aborted = false

        init(clock: ManualClock, answerAfter: TimeSpan?) {
            (self.clock, self.answerAfter) = (clock, answerAfter)
        }

        func start(_ finish: @escaping (ProbeOutcome) -> Void) {
            guard let answerAfter else { return }
            timer = clock.schedule(at: clock.monotonic + answerAfter.nanoseconds) { finish(.ok) }
        }

        func abort() {
            aborted = true
            if let timer { clock.cancel(timer) }
        }
    }

    let clock = ManualClock()
    let loop: EventLoop
    var scheduler: Scheduler!
    var answerAfter: [String: TimeSpan?] = [:]
    private(set) var starts: [String: [Int64]] = [:]
    private(set) var results: [ProbeResult] = []
    private(set) var attempts: [String: [Attempt]] = [:]

    init() throws {
        // Never started: it only lends the scheduler its context (and owns no timer here).
        loop = try EventLoop()
        scheduler = Scheduler(context: ProbeContext(loop: loop), timers: clock, clock: clock, makeAttempt: { [unowned self] config, _ in
            let attempt = Attempt(clock: clock, answerAfter: answerAfter[config.name] ?? .milliseconds(5))
            starts[config.name, default: []].append(clock.monotonic)
            attempts[config.name, default: []].append(attempt)
            return attempt
        }, deliver: { [unowned self] in results.append($0) })
    }

    static func config(_ name: String, interval: TimeSpan = .seconds(10), timeout: TimeSpan = .seconds(2)) -> ProbeConfig {
        ProbeConfig(rules: ProbeRules(name: name, kind: "tcp"), interval: interval, timeout: timeout, target: .tcp(host: "127.0.0.1", port: 1))
    }

    /// Every start of `name` lies on its grid: the first start plus whole intervals.
    func onGrid(_ name: String, interval: TimeSpan) -> Bool {
        guard let s = starts[name], let first = s.first else { return false }
        return s.allSatisfy { ($0 - first) % interval.nanoseconds == 0 }
    }
}

@Suite struct SchedulerTests {
    /// Runs fall on phase + k·interval exactly, the phase within one interval of `apply`.
    @Test func runsOnPace() throws {
        let rig = try SchedulerRig()
        let applied = rig.clock.monotonic
        rig.scheduler.apply([SchedulerRig.config("a")], epoch: 1)
        rig.clock.advance(.seconds(60))
        let starts = try #require(rig.starts["a"])
        let phase = starts[0] - applied
        #expect(phase >= 0 && phase < 10 * second)
        #expect(starts == (0..<starts.count).map { applied + phase + Int64($0) * 10 * second })
        #expect((6...7).contains(starts.count))
        #expect(rig.results.count == starts.count && rig.results.allSatisfy { $0.sample.ok && $0.epoch == 1 })
    }

    /// After the loop was held up for several intervals, the probe runs once, late, then goes on at
    /// its old phase: the missed slots are skipped, not run back to back.
    @Test func skipsMissedSlotsAfterAStall() throws {
        let rig = try SchedulerRig()
        rig.scheduler.apply([SchedulerRig.config("a")], epoch: 1)
        rig.clock.advance(.seconds(15))
        let before = rig.starts["a"]!.count
        rig.clock.stall(.seconds(35))
        rig.clock.advance(.milliseconds(1))
        #expect(rig.starts["a"]!.count == before + 1, "missed runs were made up")
        rig.clock.advance(.seconds(30))
        let starts = rig.starts["a"]!
        let first = starts[0]
        let late = starts[before]
        #expect((late - first) % (10 * second) != 0)
        // Every start but the late one is on the grid, and the next ones are each an interval apart.
        #expect(starts.enumerated().allSatisfy { $0.offset == before || ($0.element - first) % (10 * second) == 0 })
        #expect(starts.count == before + 1 + 3)
    }

    /// An attempt that does not answer within its timeout is aborted and counts as a `timeout` failure.
    @Test func anAttemptPastItsTimeoutIsAFailure() throws {
        let rig = try SchedulerRig()
        rig.answerAfter["a"] = .some(nil)
        rig.scheduler.apply([SchedulerRig.config("a", timeout: .seconds(2))], epoch: 1)
        rig.clock.advance(.seconds(10))
        let result = try #require(rig.results.first)
        #expect(result.sample.failure?.category == .timeout)
        #expect(result.sample.latencyMs == 2000)
        #expect(rig.attempts["a"]?.first?.aborted == true)
    }

    /// A reload keeps the phase (and epoch) of unchanged probes; a changed one starts afresh under
    /// the new epoch; a removed one stops, its attempt in flight aborted.
    @Test func aReloadKeepsThePhaseOfUnchangedProbes() throws {
        let rig = try SchedulerRig()
        rig.answerAfter["c"] = .seconds(30)
        rig.scheduler.apply([SchedulerRig.config("a"), SchedulerRig.config("b"), SchedulerRig.config("c", timeout: .seconds(40))], epoch: 1)
        rig.clock.advance(.seconds(25))
        rig.scheduler.apply([SchedulerRig.config("a"), SchedulerRig.config("b", interval: .seconds(7))], epoch: 2)
        #expect(rig.attempts["c"]?.last?.aborted == true)
        let cRuns = rig.starts["c"]!.count
        rig.clock.advance(.seconds(60))
        #expect(rig.onGrid("a", interval: .seconds(10)))
        #expect(rig.scheduler.epochs == ["a": 1, "b": 2])
        #expect(rig.starts["c"]!.count == cRuns)
        #expect(rig.results.filter { $0.name == "b" && $0.epoch == 2 }.count >= 8)
        #expect(!rig.results.contains { $0.name == "c" })
    }

    /// The wall clock stepping back and forward by hours changes the time samples are dated with,
    /// never the pace: runs stay on their monotonic grid, with no burst and no gap.
    @Test func wallClockStepsChangeDatesNotPace() throws {
        let rig = try SchedulerRig()
        rig.scheduler.apply([SchedulerRig.config("a")], epoch: 1)
        rig.clock.advance(.seconds(30))
        rig.clock.stepWall(.hours(-3))
        rig.clock.advance(.seconds(30))
        rig.clock.stepWall(.hours(5))
        rig.clock.advance(.seconds(30))
        #expect(rig.onGrid("a", interval: .seconds(10)))
        #expect((9...10).contains(rig.starts["a"]!.count))
        let times = rig.results.map(\.sample.time)
        let gaps = zip(times, times.dropFirst()).map { ($1 - $0).nanoseconds }
        #expect(gaps.filter { $0 == 10 * second }.count == gaps.count - 2)
        #expect(gaps.contains(10 * second - 3 * 3600 * second) && gaps.contains(10 * second + 5 * 3600 * second))
    }
}
