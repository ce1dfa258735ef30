import CHealthSys
#if canImport(Glibc)
import Glibc
#endif

/// A spawned program watched by the loop: its output through non-blocking pipes, its exit through
/// a pidfd, so nothing waits in waitpid and no SIGCHLD handler is needed. Loop-confined.
public final class ChildProcess {
    public struct Exit: Sendable {
        /// Exit code, or nil when a signal ended it.
        public var code: Int32?
        public var signal: Int32?
        public var stdout: [UInt8]
        public var stderr: [UInt8]
    }

    private let loop: EventLoop
    public let pid: pid_t
    private let pidfd: Int32
    private var pipes: [Int32: [UInt8]]
    private let outFd: Int32, errFd: Int32
    private let limit: Int
    private var completion: ((Exit) -> Void)?

    /// Starts `argv` in its own process group; `completion` runs on the loop when it has exited.
    public init(argv: [String], loop: EventLoop, outputLimit: Int = 64 * 1024,
                completion: @escaping (Exit) -> Void) throws(SystemError) {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        try syscall("pipe2") { chs_pipe(&outPipe) }
        do throws(SystemError) { try syscall("pipe2") { chs_pipe(&errPipe) } } catch {
            close(outPipe[0]); close(outPipe[1]); throw error
        }
        let pid = Self.spawn(argv, stdout: outPipe[1], stderr: errPipe[1])
        close(outPipe[1])
        close(errPipe[1])
        guard pid > 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw SystemError("spawn \(argv[0])", errno: -pid)
        }
        let pidfd = chs_pidfd_open(pid)
        self.loop = loop
        self.pid = pid
        self.pidfd = pidfd
        self.outFd = outPipe[0]
        self.errFd = errPipe[0]
        self.pipes = [outFd: [], errFd: []]
        self.limit = outputLimit
        self.completion = completion
        for fd in [outFd, errFd] {
            try? loop.register(fd, events: EventLoop.readable) { [weak self] _ in self?.drain(fd) }
        }
        if pidfd >= 0 {
            try? loop.register(pidfd, events: EventLoop.readable) { [weak self] _ in self?.reap() }
        }
        retainUntilExit = self
    }

    /// Keeps the object alive until the child is reaped, even if the caller lets go after a timeout.
    private var retainUntilExit: ChildProcess?

    /// Kills the whole process group (a plugin's own children too).
    public func killGroup() {
        kill(-pid, SIGKILL)
    }

    private func drain(_ fd: Int32) {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let r = try? chunk.withUnsafeMutableBytes { buf throws(SystemError) in try Socket.read(fd, into: buf) }
            guard case .bytes(let n) = r else {
                if r == .eof || r == nil { loop.unregister(fd) }
                return
            }
            if pipes[fd]!.count < limit { pipes[fd]!.append(contentsOf: chunk[..<min(n, limit - pipes[fd]!.count)]) }
        }
    }

    private func reap() {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid else { return }
        // Output written just before exit is still in the pipes; a grandchild may hold them open, so don't wait for EOF.
        drain(outFd)
        drain(errFd)
        for fd in [outFd, errFd, pidfd] {
            loop.unregister(fd)
            close(fd)
        }
        let termSig = status & 0x7f
        let exit = Exit(code: termSig == 0 ? (status >> 8) & 0xff : nil, signal: termSig == 0 ? nil : termSig,
                        stdout: pipes[outFd]!, stderr: pipes[errFd]!)
        let done = completion
        completion = nil
        retainUntilExit = nil
        done?(exit)
    }

    private static func spawn(_ argv: [String], stdout: Int32, stderr: Int32) -> pid_t {
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cargs.append(nil)
        defer { for p in cargs { free(p) } }
        return cargs.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buf.count) {
                chs_spawn($0, stdout, stderr)
            }
        }
    }
}
