import Foundation
import Synchronization
import Testing
@testable import HealthSys

@Suite struct ChildProcessTests {
    /// Where pidfd_open is refused, the child is still reaped (by polling) and its slot freed.
    @Test(arguments: [true, false])
    func aChildIsReapedWithOrWithoutAPidfd(usePidfd: Bool) throws {
        let result = Mutex<ChildProcess.Exit?>(nil)
        let done = try onLoop { loop, finished in
            do {
                _ = try ChildProcess(argv: ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"], loop: loop,
                                     usePidfd: usePidfd) { exit in
                    result.withLock { $0 = exit }
                    finished()
                }
            } catch {
                Issue.record("spawn failed: \(error)")
            }
        }
        #expect(done, "never reaped")
        let exit = result.withLock { $0 }
        #expect(exit?.code == 3)
        #expect(exit.map { String(decoding: $0.stdout, as: UTF8.self) } == "out\n")
        #expect(exit.map { String(decoding: $0.stderr, as: UTF8.self) } == "err\n")
    }

    /// A child that writes without end is read a budget at a time, the rest dropped past the
    /// limit; killing its group ends it.
    @Test func aFloodingChildCostsBoundedMemory() throws {
        let result = Mutex<ChildProcess.Exit?>(nil)
        let done = try onLoop(timeout: 20) { loop, finished in
            do {
                let child = try ChildProcess(argv: ["/usr/bin/yes", "flood"], loop: loop, outputLimit: 4096) { exit in
                    result.withLock { $0 = exit }
                    finished()
                }
                loop.schedule(at: monotonicNanos() + 300_000_000) { child.killGroup() }
            } catch {
                Issue.record("spawn failed: \(error)")
            }
        }
        #expect(done)
        let exit = result.withLock { $0 }
        #expect(exit?.stdout.count == 4096)
        #expect((exit?.dropped ?? 0) > 0)
        #expect(exit?.signal == SIGKILL)
    }
}
