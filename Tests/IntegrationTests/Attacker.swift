import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A hostile program run as `nobody` (uid 65534, group nogroup, no other groups) in the background:
/// a Python script, so that no healthd code runs as that user. Killed when stopped.
final class Attacker: @unchecked Sendable {
    private let process = Process()
    private let output = Pipe()

    init(_ script: String, _ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/python3", "-c", script] + args
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// The first line the script prints (a port it listens on), waiting up to 10 s.
    func firstLine() -> String? {
        let fd = output.fileHandleForReading.fileDescriptor
        var line: [UInt8] = []
        var byte: UInt8 = 0
        let deadline = Date().addingTimeInterval(10)
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while Date() < deadline {
            guard poll(&poller, 1, 100) > 0 else { continue }
            guard read(fd, &byte, 1) == 1 else { return nil }
            if byte == 10 { return String(decoding: line, as: UTF8.self) }
            line.append(byte)
        }
        return nil
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// CPU seconds (user + system) and resident bytes of a process, from /proc.
func processUsage(_ pid: Int32) -> (cpu: Double, rss: Int) {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return (0, 0) }
    let f = stat[stat.index(after: close)...].split(separator: " ")
    guard f.count > 22, let u = Double(f[11]), let s = Double(f[12]), let pages = Int(f[21]) else { return (0, 0) }
    return ((u + s) / Double(sysconf(Int32(_SC_CLK_TCK))), pages * Int(sysconf(Int32(_SC_PAGESIZE))))
}

/// A TCP listener on loopback that notes when each connection arrives: a tcp probe pointed at it
/// shows, to the millisecond, whether the probe kept its schedule.
final class ConnectRecorder: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var times: [Date] = []
    private var thread: Thread?

    init() throws {
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, len) } }
        guard bound == 0, listen(sock, 128) == 0 else {
            close(sock)
            throw POSIXError(.EADDRINUSE)
        }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(sock, $0, &len) } }
        fd = sock
        port = Int(UInt16(bigEndian: addr.sin_port))
        let t = Thread { [self] in
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                lock.withLock { times.append(Date()) }
                close(c)
            }
        }
        t.start()
        thread = t
    }

    /// The longest time between two connections in [from, to], counting from `from` and up to `to`.
    func longestGap(from: Date, to: Date) -> Double {
        let inside = lock.withLock { times.filter { $0 >= from && $0 <= to } }
        let points = [from] + inside + [to]
        return zip(points, points.dropFirst()).map { $1.timeIntervalSince($0) }.max() ?? .infinity
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
