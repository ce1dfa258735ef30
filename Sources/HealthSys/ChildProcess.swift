import CHealthSys
#if canImport(Glibc)
import Glibc
#endif

/// A spawned program watched by the loop: its input and output through pipes whose healthd end is
/// non-blocking, its exit through a pidfd, so nothing waits in waitpid and no SIGCHLD handler is
/// needed. Where pidfd_open is refused (kernels before 5.3, older container seccomp profiles) the
/// loop polls waitpid(WNOHANG) for it instead, every `pollInterval`: a process-wide SIGCHLD handler
/// would also take the exits other code waits for. Output beyond `outputLimit` is read and
/// dropped, so a flooding child never stalls, and at most a read budget per turn, so it never
/// holds the loop either. Loop-confined.
package final class ChildProcess {
    package struct Exit: Sendable {
        /// Exit code, or nil when a signal ended it.
        package var code: Int32?
        package var signal: Int32?
        package var stdout: [UInt8]
        package var stderr: [UInt8]
        /// Bytes of output beyond the limit that were read and dropped.
        package var dropped: Int
    }

    private let loop: EventLoop
    package let pid: pid_t
    private let pidfd: Int32
    private var pipes: [Int32: [UInt8]]
    private let outFd: Int32, errFd: Int32
    private var inFd: Int32 = -1
    private var input: ArraySlice<UInt8>
    private let limit: Int
    private var dropped = 0
    private var completion: ((Exit) -> Void)?

    /// Starts `argv` in its own process group; `completion` runs on the loop when it has exited.
    /// `input` is written to its stdin (then closed); `environment` ("NAME=value") is added to healthd's own.
    package init(argv: [String], input: [UInt8]? = nil, environment: [String] = [], loop: EventLoop,
                outputLimit: Int = 64 * 1024, usePidfd: Bool = true, completion: @escaping (Exit) -> Void) throws(SystemError) {
        loop.assertInLoop("ChildProcess")
        var fds: [[Int32]] = []
        func closeAll() { for pair in fds { close(pair[0]); close(pair[1]) } }
        // stdin: healthd writes (end 1); stdout, stderr: healthd reads (end 0).
        for nonblocking in [1, 0, 0] where nonblocking == 0 || input != nil {
            var pair: [Int32] = [-1, -1]
            do throws(SystemError) { try syscall("pipe2") { chs_pipe(&pair, Int32(nonblocking)) } } catch {
                closeAll(); throw error
            }
            fds.append(pair)
        }
        let stdinPipe = input != nil ? fds[0] : nil
        let (outPipe, errPipe) = (fds[fds.count - 2], fds[fds.count - 1])
        let pid = Self.spawn(argv, environment: environment, stdin: stdinPipe?[0] ?? -1, stdout: outPipe[1], stderr: errPipe[1])
        if let stdinPipe { close(stdinPipe[0]) }
        close(outPipe[1])
        close(errPipe[1])
        guard pid > 0 else {
            close(outPipe[0]); close(errPipe[0])
            if let stdinPipe { close(stdinPipe[1]) }
            throw SystemError("spawn \(argv[0])", errno: -pid)
        }
        self.loop = loop
        self.pid = pid
        self.pidfd = usePidfd ? chs_pidfd_open(pid) : -1
        self.outFd = outPipe[0]
        self.errFd = errPipe[0]
        self.pipes = [outFd: [], errFd: []]
        self.limit = outputLimit
        self.input = ArraySlice(input ?? [])
        self.completion = completion
        for fd in [outFd, errFd] {
            try? loop.register(fd, events: EventLoop.readable) { [weak self] _ in self?.drain(fd) }
        }
        if pidfd >= 0 {
            try? loop.register(pidfd, events: EventLoop.readable) { [weak self] _ in self?.reap() }
        } else {
            pollForExit()
        }
        if let stdinPipe {
            inFd = stdinPipe[1]
            try? loop.register(inFd, events: EventLoop.writable) { [weak self] _ in self?.feed() }
        }
        retainUntilExit = self
    }

    static let pollInterval: Int64 = 20_000_000

    private func pollForExit() {
        loop.schedule(at: monotonicNanos() + Self.pollInterval) { [weak self] in
            guard let self, completion != nil else { return }
            reap()
            if completion != nil { pollForExit() }
        }
    }

    /// Keeps the object alive until the child is reaped, even if the caller lets go after a timeout.
    private var retainUntilExit: ChildProcess?

    /// Kills the whole process group (a plugin's own children too).
    package func killGroup() {
        kill(-pid, SIGKILL)
    }

    /// Writes what the pipe takes; the rest when it is writable again. A child that exits
    /// or closes stdin without reading it all just ends the feeding.
    private func feed() {
        while !input.isEmpty {
            let n = input.withUnsafeBytes { write(inFd, $0.baseAddress, $0.count) }
            if n > 0 { input = input.dropFirst(n); continue }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN { return }
            break
        }
        closeInput()
    }

    private func closeInput() {
        guard inFd >= 0 else { return }
        loop.unregister(inFd)
        close(inFd)
        inFd = -1
    }

    /// Reads what is there, up to the loop's read budget: the pipes are level-triggered, so what
    /// is left is read on the next turn.
    private func drain(_ fd: Int32) {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        var budget = EventLoop.readBudget
        while budget > 0 {
            let r = try? chunk.withUnsafeMutableBytes { buf throws(SystemError) in try Socket.read(fd, into: buf) }
            guard case .bytes(let n) = r else {
                if r == .eof || r == nil { loop.unregister(fd) }
                return
            }
            budget -= n
            let keep = min(n, limit - pipes[fd]!.count)
            if keep > 0 { pipes[fd]!.append(contentsOf: chunk[..<keep]) }
            dropped += n - max(keep, 0)
        }
    }

    private func reap() {
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid else { return }
        // Output written just before exit is still in the pipes; a grandchild may hold them open, so don't wait for EOF.
        drain(outFd)
        drain(errFd)
        closeInput()
        for fd in [outFd, errFd, pidfd] where fd >= 0 {
            loop.unregister(fd)
            close(fd)
        }
        let termSig = status & 0x7f
        let exit = Exit(code: termSig == 0 ? (status >> 8) & 0xff : nil, signal: termSig == 0 ? nil : termSig,
                        stdout: pipes[outFd]!, stderr: pipes[errFd]!, dropped: dropped)
        let done = completion
        completion = nil
        retainUntilExit = nil
        done?(exit)
    }

    private static func spawn(_ argv: [String], environment: [String], stdin: Int32, stdout: Int32, stderr: Int32) -> pid_t {
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cargs.append(nil)
        // Extra variables are added to (and override) healthd's own environment.
        var cenv: [UnsafeMutablePointer<CChar>?] = []
        if !environment.isEmpty {
            let names = Set(environment.map { $0.prefix { $0 != "=" } })
            var p = environ
            while let entry = p.pointee {
                if !names.contains(String(cString: entry).prefix { $0 != "=" }) { cenv.append(strdup(entry)) }
                p += 1
            }
            cenv += environment.map { strdup($0) }
            cenv.append(nil)
        }
        defer { for p in cargs + cenv { free(p) } }
        return cargs.withUnsafeBufferPointer { args in
            args.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: args.count) { argp in
                cenv.withUnsafeBufferPointer { env in
                    guard !env.isEmpty, let base = env.baseAddress else { return chs_spawn(argp, nil, stdin, stdout, stderr) }
                    return base.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: env.count) {
                        chs_spawn(argp, $0, stdin, stdout, stderr)
                    }
                }
            }
        }
    }
}
