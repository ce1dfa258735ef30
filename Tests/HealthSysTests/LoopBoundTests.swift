import Foundation
import Synchronization
import Testing
@testable import HealthSys

@Suite struct LoopBoundTests {
    /// Made and changed on the loop, carried through another thread, read on the loop again.
    @Test func aValueCrossesAThreadAndIsUsedOnItsLoop() throws {
        let seen = Mutex<[Int]?>(nil)
        let finished = try onLoop { loop, done in
            var bound = LoopBound([1], loop: loop)
            bound.value.append(2)
            DispatchQueue.global().async { [bound] in
                loop.execute {
                    seen.withLock { $0 = bound.value }
                    done()
                }
            }
        }
        #expect(finished)
        #expect(seen.withLock { $0 } == [1, 2])
    }

    /// Until the loop runs, the thread that sets it up owns what is bound to it.
    @Test func beforeItsLoopRunsTheSettingUpThreadOwnsIt() throws {
        let loop = try EventLoop()
        var bound = LoopBound(0, loop: loop)
        bound.value += 1
        #expect(bound.value == 1)
    }
}
