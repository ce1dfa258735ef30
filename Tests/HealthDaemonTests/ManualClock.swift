import HealthCore
import HealthSys

/// Both clocks and the timers, driven by hand. `advance` moves monotonic and wall time on together
/// and runs each timer that falls due on the way, with the clocks at its deadline; `stall` moves
/// them on without running anything (a loop held up); `stepWall` sets the wall clock alone, as NTP
/// or a resumed VM does.
final class ManualClock: TimeSource, TimerSource {
    /// A machine up for a while, on 2026-11-18.
    private(set) var monotonic: Int64 = 1_000 * 1_000_000_000
    private(set) var wall: Int64 = 1_795_000_000 * 1_000_000_000
    private var timers: [(deadline: Int64, id: UInt64, action: () -> Void)] = []
    private var lastID: UInt64 = 0

    func monotonicNanos() -> Int64 { monotonic }
    func wallNanos() -> Int64 { wall }
    var now: Timestamp { Timestamp(nanoseconds: wall) }

    @discardableResult
    func schedule(at deadline: Int64, _ action: @escaping () -> Void) -> TimerID {
        lastID += 1
        timers.append((deadline, lastID, action))
        return TimerID(raw: lastID)
    }

    func cancel(_ timer: TimerID) { timers.removeAll { $0.id == timer.raw } }

    /// Runs due timers in deadline order (ties in the order armed) up to `span` from now, then
    /// leaves the clocks there. A timer already late runs at the current time.
    func advance(_ span: TimeSpan) {
        let end = monotonic + span.nanoseconds
        while let next = timers.filter({ $0.deadline <= end }).min(by: { ($0.deadline, $0.id) < ($1.deadline, $1.id) }) {
            timers.removeAll { $0.id == next.id }
            move(to: max(next.deadline, monotonic))
            next.action()
        }
        move(to: end)
    }

    /// Time passes and no timer runs: the loop was held up.
    func stall(_ span: TimeSpan) { move(to: monotonic + span.nanoseconds) }

    /// The wall clock is set by `span` (negative: back); monotonic time does not move.
    func stepWall(_ span: TimeSpan) { wall += span.nanoseconds }

    private func move(to monotonic: Int64) {
        wall += monotonic - self.monotonic
        self.monotonic = monotonic
    }
}
