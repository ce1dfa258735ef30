import HealthSys
import Synchronization

/// What the systemd watchdog is told depends on: it is fed only while the event loop turns, the
/// engine takes its events, and results keep arriving at the pace the fastest probe sets — so a
/// wedged loop or a stalled scheduler gets the daemon restarted rather than a stale answer kept.
final class Liveness: Sendable {
    private let loopBeat = Atomic<Int64>(monotonicNanos())
    private let engineBeat = Atomic<Int64>(monotonicNanos())
    private let resultBeat = Atomic<Int64>(monotonicNanos())
    /// How long results may pause: twice the shortest interval plus its timeout; 0 without probes.
    private let resultGrace = Atomic<Int64>(0)

    func loopTurned(at now: Int64 = monotonicNanos()) { loopBeat.store(now, ordering: .relaxed) }
    func engineTurned(at now: Int64 = monotonicNanos()) { engineBeat.store(now, ordering: .relaxed) }
    func resultArrived(at now: Int64 = monotonicNanos()) { resultBeat.store(now, ordering: .relaxed) }

    /// After a (re)load: results are expected within the new grace from now on.
    func expectResults(within grace: Int64, now: Int64 = monotonicNanos()) {
        resultGrace.store(grace, ordering: .relaxed)
        resultBeat.store(now, ordering: .relaxed)
    }

    /// Why the watchdog must not be fed now, or nil when all is well. `slack` is how late a beat may be.
    func stall(now: Int64 = monotonicNanos(), slack: Int64) -> String? {
        if now - loopBeat.load(ordering: .relaxed) > slack { return "the event loop has not turned" }
        if now - engineBeat.load(ordering: .relaxed) > slack { return "the engine has not taken its events" }
        let grace = resultGrace.load(ordering: .relaxed)
        if grace > 0, now - resultBeat.load(ordering: .relaxed) > grace + slack { return "no probe result has arrived" }
        return nil
    }

    /// Beats from the loop every `period` for as long as it turns.
    func beat(on loop: EventLoop, every period: Int64) {
        loopTurned()
        loop.schedule(at: monotonicNanos() + period) { [self] in beat(on: loop, every: period) }
    }
}
