import Foundation
import HealthClient
import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// The socket's `snapshot` round trip while 1, 100 and 500 subscribers are connected and being fed
/// (a probe flips every second, so every subscriber gets a fresh snapshot each second): p50/p99
/// over many sequential requests, against the real healthd binary.
enum SocketBench {
    static func run(seconds: Double = 4) {
        let dir = NSTemporaryDirectory() + "healthd-bench-socket-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(listener, 4096)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
        let port = UInt16(bigEndian: addr.sin_port)
        let probes = (0..<100).map { #"{ name: "tcp\#($0)", kind: "tcp", url: "tcp://127.0.0.1:\#(port)", interval: "5s" }"# }
            + [#"{ name: "flip", kind: "exec", argv: ["/bin/sh", "-c", "exit $(( $(date +%s) % 2 * 2 ))"], interval: "1s", timeout: "900ms" }"#]
        let config = """
            { output: { dir: "\(dir)", socket: "\(dir)/h.sock", interval: "10s" }, state: { dir: "\(dir)/state" },
              socket: { max_clients: 2000, requests_per_second: 100000 }, probes: [\(probes.joined(separator: ","))] }
            """
        try? config.write(toFile: "\(dir)/c.json5", atomically: true, encoding: .utf8)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("healthd")
        daemon.arguments = ["--config", "\(dir)/c.json5"]
        daemon.standardError = FileHandle.nullDevice
        guard (try? daemon.run()) != nil else { return line("socket", "cannot start healthd next to this binary") }
        defer { kill(daemon.processIdentifier, SIGKILL); daemon.waitUntilExit(); close(listener) }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: "\(dir)/h.sock") { usleep(20_000) }
        usleep(1_500_000)

        let feeder = SubscriberFeeder()
        for target in [1, 100, 500] {
            while feeder.count < target {
                guard let c = try? APIClient(path: "\(dir)/h.sock"), (try? c.send(#"{"op":"subscribe"}"#)) != nil else { break }
                feeder.add(c)
            }
            guard let client = try? APIClient(path: "\(dir)/h.sock") else { return line("socket", "cannot connect") }
            var rtts: [Double] = []
            let fedBefore = feeder.received
            let end = monotonicNanos() + Int64(seconds * 1e9)
            // Long enough for several rounds of feeding every subscriber.
            while monotonicNanos() < end {
                let t0 = monotonicNanos()
                guard (try? client.request(#"{"op":"snapshot"}"#)) != nil else { return line("socket", "request failed") }
                rtts.append(Double(monotonicNanos() - t0) / 1e3)
            }
            rtts.sort()
            line("socket.snapshot_rtt.subscribers\(target)", "p50 \(fmt(rtts[rtts.count / 2])) µs, p99 \(fmt(rtts[rtts.count * 99 / 100])) µs " +
                 "(\(rtts.count) requests in \(fmt(seconds)) s; goal p99 ≤ 2000 µs at 100), " +
                 "\(feeder.received - fedBefore) snapshots fed to subscribers meanwhile")
        }
        feeder.stop()
    }
}

/// Keeps subscribers read on a thread of its own, as live dashboards would.
final class SubscriberFeeder: @unchecked Sendable {
    private let lock = NSLock()
    private var clients: [APIClient] = []
    private var fds: [pollfd] = []
    private var lines = 0
    private var running = true
    private var thread: Thread?

    var count: Int { lock.withLock { clients.count } }
    var received: Int { lock.withLock { lines } }

    func add(_ c: APIClient) {
        lock.withLock {
            clients.append(c)
            fds.append(pollfd(fd: c.fileDescriptor, events: Int16(POLLIN), revents: 0))
        }
        if thread == nil {
            thread = Thread { [self] in loop() }
            thread?.start()
        }
    }

    func stop() { lock.withLock { running = false } }

    private func loop() {
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while lock.withLock({ running }) {
            var set = lock.withLock { fds }
            guard poll(&set, nfds_t(set.count), 50) > 0 else { continue }
            for p in set where p.revents & Int16(POLLIN) != 0 {
                let n = read(p.fd, &buf, buf.count)
                if n > 0 { lock.withLock { lines += buf[..<n].count { $0 == 10 } } }
            }
        }
    }
}
