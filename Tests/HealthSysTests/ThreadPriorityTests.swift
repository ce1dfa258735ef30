import Foundation
import HealthSys
import Testing

/// Background work lowers its own thread only, once: the thread that starts probes keeps its priority.
@Test func backgroundWorkLowersOnlyItsThread() {
    let before = threadNiceness
    let seen = LockedValues()
    let worker = Thread {
        seen.append(threadNiceness)
        runsAsBackgroundWork()
        seen.append(threadNiceness)
        runsAsBackgroundWork()
        seen.append(threadNiceness)
        seen.done.signal()
    }
    worker.start()
    seen.done.wait()
    #expect(seen.values == [before, min(before + 10, 19), min(before + 10, 19)])
    #expect(threadNiceness == before)
}

private final class LockedValues: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int32] = []
    let done = DispatchSemaphore(value: 0)
    func append(_ v: Int32) { lock.withLock { stored.append(v) } }
    var values: [Int32] { lock.withLock { stored } }
}
