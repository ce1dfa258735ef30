import Synchronization
import Testing
@testable import HealthSys

@Suite struct TimerHeapTests {
    /// Whatever order deadlines are pushed in (ties included), they pop soonest first.
    @Test func popsSoonestFirst() {
        var heap = TimerHeap()
        var rng = SystemRandomNumberGenerator()
        let deadlines = (0..<500).map { _ in Int64.random(in: -50...50, using: &rng) }
        for (id, d) in deadlines.enumerated() { heap.push(d, UInt64(id)) }
        #expect(heap.count == 500)
        var popped: [(deadline: Int64, id: UInt64)] = []
        while let top = heap.pop() { popped.append(top) }
        #expect(popped.map(\.deadline) == deadlines.sorted())
        #expect(Set(popped.map(\.id)).count == 500)
        #expect(heap.first == nil && heap.pop() == nil)
    }
}

extension EventLoopTests {
    /// Due timers run in deadline order, whatever order they were armed in; a cancelled one never runs.
    @Test func dueTimersRunInDeadlineOrderAndCancelledOnesNot() throws {
        let order = Mutex<[Int]>([])
        let done = try onLoop { loop, finished in
            let now = monotonicNanos()
            for (deadline, tag) in [(now - 1, 3), (now - 3, 1), (now - 2, 2)] {
                loop.schedule(at: deadline) { order.withLock { $0.append(tag) } }
            }
            let cancelled = loop.schedule(at: now - 4) { order.withLock { $0.append(0) } }
            loop.cancel(cancelled)
            loop.schedule(at: now) { finished() }
        }
        #expect(done)
        #expect(order.withLock { $0 } == [1, 2, 3])
    }
}
