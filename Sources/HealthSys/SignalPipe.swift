import CHealthSys
#if canImport(Glibc)
import Glibc
#endif

/// Signals as readable events: a handler writes each to a pipe (the self-pipe trick) that an
/// event loop watches. Once created, a signal sent at any moment, to any thread, is kept until
/// read — none is lost and none falls to its default action. One per process.
package final class SignalPipe: Sendable {
    package let fd: Int32

    package init(_ signals: [Int32]) throws(SystemError) {
        let fd = signals.withUnsafeBufferPointer { chs_signal_pipe($0.baseAddress, Int32($0.count)) }
        guard fd >= 0 else { throw SystemError("signal pipe", errno: errno) }
        self.fd = fd
    }

    /// The next signal received, or nil when none is waiting.
    package func next() -> Int32? {
        while true {
            let r = chs_signal_pipe_read(fd)
            if r > 0 { return r }
            if r == -EINTR { continue }
            return nil
        }
    }

    deinit { close(fd) }
}
