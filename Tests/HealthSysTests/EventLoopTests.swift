import Foundation
import Testing
@testable import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` on a fresh loop's thread and waits (with a deadline) until it calls `done`.
func onLoop(timeout: Double = 10, _ body: @escaping @Sendable (EventLoop, @escaping @Sendable () -> Void) -> Void) throws -> Bool {
    let loop = try EventLoop()
    loop.start()
    defer { loop.shutdown() }
    let finished = DispatchSemaphore(value: 0)
    loop.execute { body(loop, { finished.signal() }) }
    return finished.wait(timeout: .now() + timeout) == .success
}

@Suite struct EventLoopTests {
    /// A peer that never stops sending cannot hold the loop: with a read budget and `yield`, a
    /// timer due meanwhile still fires.
    @Test func aFloodingDescriptorYieldsToTimers() throws {
        let fired = try onLoop { loop, done in
            var pair: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { return }
            _ = fcntl(pair[0], F_SETFL, O_NONBLOCK)
            _ = fcntl(pair[1], F_SETFL, O_NONBLOCK)
            let chunk = [UInt8](repeating: 7, count: 32 * 1024)
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            func refill() { _ = chunk.withUnsafeBytes { write(pair[1], $0.baseAddress, $0.count) } }
            refill()
            try? loop.register(pair[0], events: EventLoop.readable | EventLoop.edgeTriggered) { _ in
                // Reads its budget, writes more for itself, and yields: an endless stream.
                var budget = EventLoop.readBudget
                while budget > 0 {
                    let n = buffer.withUnsafeMutableBytes { read(pair[0], $0.baseAddress, $0.count) }
                    if n <= 0 { break }
                    budget -= n
                    refill()
                }
                loop.yield(pair[0], events: EventLoop.readable)
            }
            loop.schedule(at: monotonicNanos() + 50_000_000) {
                loop.unregister(pair[0])
                close(pair[0])
                close(pair[1])
                done()
            }
        }
        #expect(fired, "the timer never fired while the descriptor flooded")
    }

    @Test func aYieldedHandlerRunsAgainAndAClosedOneDoesNot() throws {
        let ok = try onLoop { loop, done in
            var pair: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0 else { return }
            var calls = 0
            try? loop.register(pair[0], events: EventLoop.readable) { _ in }
            try? loop.register(pair[1], events: 0) { _ in
                calls += 1
                if calls < 3 { loop.yield(pair[1], events: EventLoop.readable) } else {
                    // Unregistered with a turn still owed: it must not run again.
                    loop.yield(pair[1], events: EventLoop.readable)
                    loop.unregister(pair[1])
                    loop.schedule(at: monotonicNanos() + 20_000_000) {
                        if calls == 3 { done() }
                    }
                }
            }
            loop.yield(pair[1], events: EventLoop.readable)
        }
        #expect(ok)
    }
}
