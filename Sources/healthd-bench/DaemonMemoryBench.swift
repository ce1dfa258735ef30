import Foundation
import HealthCore
import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// What a probe costs the running daemon: the real healthd started on N tcp probes (against a loopback listener that
/// accepts and closes) and a checkpoint holding seven full days for each, its RSS after the restore and one minute of
/// probing (the median of the second half minute's readings), less that of a one-probe daemon, per probe. Histories come from sample distributions (lognormal latencies
/// at 1 s with σ = 1 and σ = 0.3, and σ = 1 at 10 s); a few distinct ones are generated and shared out round robin.
/// The same with an empty history gives the cost of a probe that has run for a minute.
enum DaemonMemoryBench {
    struct History {
        var name: String
        var sigma: Double
        var interval: Int64  // seconds
        var goalKiB: Int
    }

    static let histories = [
        History(name: "sigma1", sigma: 1, interval: 1, goalKiB: 64),
        History(name: "sigma03", sigma: 0.3, interval: 1, goalKiB: 32),
        History(name: "interval10s", sigma: 1, interval: 10, goalKiB: 32),
    ]

    static func run(counts: [Int], seconds: Double, cases: Set<String>) {
        let listener = Listener()
        let dir = NSTemporaryDirectory() + "healthd-bench-memory-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir); listener.stop() }
        let wanted = { (name: String) in cases.isEmpty || cases.contains(name) }
        guard let base = measure(dir: dir, probes: 1, interval: 1, checkpoint: nil, port: listener.port, seconds: seconds) else {
            return line("daemon.rss_per_probe", "cannot start healthd next to this binary")
        }
        line("daemon.rss.one_probe", "\(fmt(Double(base.rss) / 1_048_576)) MiB after \(fmt(seconds)) s (peak \(fmt(Double(base.peak) / 1_048_576)) MiB)")
        for n in counts {
            for history in histories where wanted(history.name) {
                let bytes = checkpoint(probes: n, history: history)
                report("daemon.rss_per_probe.full_7d.\(history.name).n\(n)", goalKiB: history.goalKiB, n: n, base: base,
                       measure(dir: dir, probes: n, interval: history.interval, checkpoint: bytes, port: listener.port, seconds: seconds),
                       extra: n == 10_000 && history.name == "sigma1" ? ", goal 10,000 probes < 700 MiB" : "")
            }
            if wanted("empty") {
                report("daemon.rss_per_probe.one_minute.n\(n)", goalKiB: 16, n: n, base: base,
                       measure(dir: dir, probes: n, interval: 1, checkpoint: nil, port: listener.port, seconds: seconds), extra: "")
            }
        }
    }

    /// Writes `dir`/c.json5 and its state dir's checkpoint (none for "empty"), to run healthd on by hand.
    static func prepare(dir: String, probes: Int, case name: String) {
        let listener = Listener()
        let history = histories.first { $0.name == name }
        _ = measure(dir: dir, probes: probes, interval: history?.interval ?? 1,
                    checkpoint: history.map { checkpoint(probes: probes, history: $0) }, port: listener.port, seconds: 0,
                    start: false)
        line("memory.prepare", "\(dir)/c.json5 (probes against 127.0.0.1:\(listener.port) while this runs; Ctrl-C ends)")
        while true { sleep(60) }
    }

    private static func report(_ name: String, goalKiB: Int, n: Int, base: Measured, _ result: Measured?, extra: String) {
        guard let result else { return line(name, "healthd failed") }
        let perProbe = { (rss: Int) in fmt(Double(rss - base.rss) / Double(n - 1) / 1024) }
        line(name, "\(perProbe(result.rss)) KiB per probe (goal ≤ \(goalKiB) KiB\(extra)), readings \(perProbe(result.range.lowerBound))–"
             + "\(perProbe(result.range.upperBound)); RSS \(fmt(Double(result.rss) / 1_048_576)) MiB, "
             + "peak \(fmt(Double(result.peak) / 1_048_576)) MiB, ready in \(fmt(result.restoreSeconds)) s")
    }

    /// What the windows of each history take, by part (`ProbeWindows.byteBreakdown`), without the daemon around them.
    static func windowBytes() {
        for history in histories {
            let windows = fullHistory(history, seed: 100)
            let parts = windows.byteBreakdown.map { "\($0.part) \(fmt(Double($0.bytes) / 1000))" }
            line("windows.bytes.full_7d.\(history.name)",
                 "\(fmt(Double(windows.approximateBytes) / 1000)) KB (\(parts.joined(separator: ", ")))")
        }
    }

    /// Seven full days of `history` ending at `end`, latencies drawn from a generator seeded with `seed`.
    static func fullHistory(_ history: History, seed: UInt64, end: Timestamp = Timestamp(nanoseconds: wallNanos())) -> ProbeWindows {
        var rng = SplitMix(seed: seed)
        var w = ProbeWindows()
        let samples = 7 * 86_400 / history.interval
        for s in 0..<samples {
            let time = end - .seconds((samples - 1 - s) * history.interval)
            let failure = rng.next() % 1000 == 0 ? ProbeFailure(.timeout, "timed out") : nil
            w.record(Sample(time: time, latencyMs: rng.lognormal(mu: log(20), sigma: history.sigma), failure: failure))
        }
        return w
    }

    /// A checkpoint of `probes` probes (by default named as `measure` names them), each holding seven full days of `history`.
    static func checkpoint(probes: Int, history: History,
                           rules: (Int) -> ProbeRules = { ProbeRules(name: "tcp\($0)", kind: "tcp") }) -> [UInt8] {
        let end = Timestamp(nanoseconds: wallNanos())
        let distinct = 8
        let windows = (0..<distinct).map { fullHistory(history, seed: UInt64(100 + $0), end: end) }
        var monitor = Monitor(spec: MonitorSpec(probes: (0..<probes).map(rules)))
        for i in 0..<probes { monitor.replaceWindows(of: i, with: windows[i % distinct]) }
        return monitor.checkpoint(now: end, writer: "bench")
    }

    /// A daemon's RSS: the median of the readings, their range, its peak, and how long it took to start.
    struct Measured {
        var rss: Int
        var range: ClosedRange<Int>
        var peak: Int
        var restoreSeconds: Double
    }

    /// Puts `checkpoint` in `dir`'s state dir, flushed to disk: hundreds of MB left dirty would be written back by the
    /// kernel ~30 s later, in the middle of a measurement (seconds of stalled logging and probing in the lag benchmark).
    static func place(_ checkpoint: [UInt8], in dir: String) {
        do throws(SystemError) {
            try AtomicFile.write(checkpoint, to: "\(dir)/state/checkpoint")
        } catch {
            line("bench", "cannot write the checkpoint in \(dir): \(error)")
        }
    }

    /// Runs healthd on `probes` tcp probes with `checkpoint` in its state dir; its RSS (and peak) after `seconds`.
    static func measure(dir: String, probes: Int, interval: Int64, checkpoint: [UInt8]?, port: UInt16,
                        seconds: Double, start: Bool = true) -> Measured? {
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: "\(dir)/state", withIntermediateDirectories: true)
        if let checkpoint { place(checkpoint, in: dir) }
        let timeout = interval == 1 ? "900ms" : "2s"
        let list = (0..<probes).map { #"{ name: "tcp\#($0)", kind: "tcp", url: "tcp://127.0.0.1:\#(port)", interval: "\#(interval)s", timeout: "\#(timeout)" }"# }
        let config = """
            { output: { dir: "\(dir)", socket: "\(dir)/h.sock", interval: "10s" }, state: { dir: "\(dir)/state" },
              probes: [\(list.joined(separator: ",\n"))] }
            """
        try? config.write(toFile: "\(dir)/c.json5", atomically: true, encoding: .utf8)
        guard start, let (daemon, ready) = launchDaemon(config: "\(dir)/c.json5", socket: "\(dir)/h.sock") else { return nil }
        defer { kill(daemon.processIdentifier, SIGKILL); daemon.waitUntilExit() }
        // RSS read every half second over the last half of the time, and its median taken: a single reading lands on
        // a checkpoint being written (every minute) or not, which at 1,000 probes moves it by ~4 KiB a probe.
        Thread.sleep(forTimeInterval: seconds / 2)
        var readings: [Int] = []
        let end = monotonicNanos() + Int64(seconds / 2 * 1e9)
        repeat {
            guard daemon.isRunning else { return nil }
            readings.append(kib("VmRSS:", of: daemon.processIdentifier) * 1024)
            Thread.sleep(forTimeInterval: 0.5)
        } while monotonicNanos() < end
        readings.sort()
        return Measured(rss: readings[readings.count / 2], range: readings.first!...readings.last!,
                        peak: kib("VmHWM:", of: daemon.processIdentifier) * 1024, restoreSeconds: ready)
    }

    /// Starts the healthd beside this binary on `config`; it and the seconds until its socket appeared, or nil if it
    /// exited or took over a minute.
    static func launchDaemon(config: String, socket: String) -> (Process, Double)? {
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("healthd")
        daemon.arguments = ["--config", config]
        daemon.standardError = FileHandle(forWritingAtPath: "/dev/null")
        let t0 = monotonicNanos()
        guard (try? daemon.run()) != nil else { return nil }
        var waited = 0
        while !FileManager.default.fileExists(atPath: socket) {
            guard daemon.isRunning, waited < 6000 else {
                kill(daemon.processIdentifier, SIGKILL)
                daemon.waitUntilExit()
                return nil
            }
            usleep(10_000)
            waited += 1
        }
        return (daemon, Double(monotonicNanos() - t0) / 1e9)
    }

    static func kib(_ field: String, of pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let l = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return 0 }
        return Int(l.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }

    /// A loopback TCP listener that accepts and closes, so tcp probes succeed.
    final class Listener: @unchecked Sendable {
        let fd: Int32
        let port: UInt16
        private var thread: Thread?

        init() {
            let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listening, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            listen(listening, 65535)
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listening, $0, &len) } }
            fd = listening
            port = UInt16(bigEndian: addr.sin_port)
            thread = Thread {
                while true {
                    let c = accept(listening, nil, nil)
                    if c >= 0 { close(c) } else if errno != EINTR { return }
                }
            }
            thread?.start()
        }

        func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
    }
}
