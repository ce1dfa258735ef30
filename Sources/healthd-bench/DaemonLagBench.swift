import Foundation
import HealthConfig
import HealthCore
import HealthDaemon
import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// Scheduling lag of the whole daemon: N http probes at 1 s against nginx, which logs when each request arrived. The
/// real healthd runs them with everything it does besides (evaluation, snapshots every 10 s, the status page,
/// a save every minute), new and restored from a week of history; the baseline is the probe path alone
/// (`ProbeLoad`: scheduler, probes and evaluation without outputs) in the same run, timed the same way. A probe runs at start + phase + k s (`Scheduler.phase`), so a
/// request's arrival less its phase, modulo a second, is a constant plus its lag; the constant is taken as the 0.1 %
/// quantile of those offsets, and nginx's clock counts milliseconds, so lags are ±1 ms.
enum DaemonLagBench {
    static func run(port: UInt16, arrivalsLog: String, counts: [Int], seconds: Double) {
        for n in counts {
            let urls = (0..<n).map { "http://127.0.0.1:\(port)/arrive/p\($0)" }
            guard let base = baseline(urls: urls, arrivalsLog: arrivalsLog, seconds: seconds) else {
                return line("daemon.lag.http.n\(n)", "the probe path failed to start")
            }
            line("daemon.lag.http.n\(n).probe_path", base.text(probes: n, seconds: seconds))
            guard let new = daemon(urls: urls, checkpoint: nil, arrivalsLog: arrivalsLog, seconds: seconds, windows: 1) else {
                return line("daemon.lag.http.n\(n)", "healthd failed to start")
            }
            line("daemon.lag.http.n\(n)", new[0].text(probes: n, seconds: seconds) + " = \(fmt(new[0].p99 / base.p99))x the probe path's p99 (goal p99 ≤ 10 ms)")
            // Restored from seven full days of every probe (σ = 1 at 1 s): every window it publishes merges a week of
            // buckets. The checkpoint also holds a probe no longer configured, so the first save (at 60 s) is a whole
            // new checkpoint, hundreds of MB, as after a config change or when the journal has grown to its size (every
            // ~25 minutes at this scale): its encoding, writing and syncing take the first two windows, with the record
            // at 120 s. The third window has a journal record only, as most minutes do.
            let full = DaemonMemoryBench.checkpoint(probes: n + 1, history: DaemonMemoryBench.histories[0]) {
                ProbeRules(name: $0 == n ? "gone" : "p\($0)", kind: "http")
            }
            guard let restored = daemon(urls: urls, checkpoint: full, arrivalsLog: arrivalsLog, seconds: seconds, windows: 3) else {
                return line("daemon.lag.http.n\(n).full_7d", "healthd failed to start")
            }
            let whole = Lags(sorted: (restored[0].sorted + restored[1].sorted).sorted())
            for (name, lags, span) in [(".full_7d.whole_checkpoint", whole, 2 * seconds), (".full_7d", restored[2], seconds)] {
                line("daemon.lag.http.n\(n)\(name)", lags.text(probes: n, seconds: span)
                     + " = \(fmt(lags.p99 / base.p99))x the probe path's p99 (goal p99 ≤ 10 ms)")
            }
        }
    }

    struct Lags {
        var sorted: [Double]  // ms
        var p50: Double { Self.quantile(sorted, 0.5) }
        var p99: Double { Self.quantile(sorted, 0.99) }

        func text(probes: Int, seconds: Double) -> String {
            "lag p50 \(fmt(p50)) ms p99 \(fmt(p99)) ms max \(fmt(sorted.last ?? .nan)) ms, "
                + "\(sorted.count) of \(Int(Double(probes) * seconds)) runs"
        }

        static func quantile(_ sorted: [Double], _ q: Double) -> Double {
            sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]
        }
    }

    private static func baseline(urls: [String], arrivalsLog: String, seconds: Double) -> Lags? {
        let probes = urls.enumerated().map { i, url in
            ProbeConfig(rules: ProbeRules(name: "p\(i)", kind: "http"), interval: .seconds(1), timeout: .milliseconds(900),
                        target: .http(HTTPCheck(endpoint: try! Endpoint(parsing: url), method: "GET", headers: [], statuses: [200])))
        }
        guard let load = try? ProbeLoad(probes: probes) else { return nil }
        load.start()
        defer { load.stop() }
        Thread.sleep(forTimeInterval: 5)
        return measure(arrivalsLog: arrivalsLog, seconds: seconds)
    }

    /// Lags over `windows` consecutive windows of `seconds`.
    private static func daemon(urls: [String], checkpoint: [UInt8]?, arrivalsLog: String, seconds: Double, windows: Int) -> [Lags]? {
        let dir = NSTemporaryDirectory() + "healthd-bench-lag-\(getpid())"
        try? FileManager.default.createDirectory(atPath: "\(dir)/state", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        if let checkpoint { DaemonMemoryBench.place(checkpoint, in: dir) }
        let list = urls.enumerated().map { #"{ name: "p\#($0)", kind: "http", url: "\#($1)", interval: "1s", timeout: "900ms" }"# }
        let config = """
            { output: { dir: "\(dir)", socket: "\(dir)/h.sock", interval: "10s" }, state: { dir: "\(dir)/state" },
              probes: [\(list.joined(separator: ",\n"))] }
            """
        try? config.write(toFile: "\(dir)/c.json5", atomically: true, encoding: .utf8)
        guard let (daemon, _) = DaemonMemoryBench.launchDaemon(config: "\(dir)/c.json5", socket: "\(dir)/h.sock") else { return nil }
        defer { kill(daemon.processIdentifier, SIGKILL); daemon.waitUntilExit() }
        Thread.sleep(forTimeInterval: 5)
        return (0..<windows).map { _ in measure(arrivalsLog: arrivalsLog, seconds: seconds) }
    }

    /// Lags of the requests logged over the next `seconds` (callers wait 5 s first, for every probe to have run and
    /// connections to be warm).
    private static func measure(arrivalsLog: String, seconds: Double) -> Lags {
        let start = fileSize(arrivalsLog)
        Thread.sleep(forTimeInterval: seconds)
        let end = fileSize(arrivalsLog)
        guard let handle = FileHandle(forReadingAtPath: arrivalsLog) else { return Lags(sorted: []) }
        defer { try? handle.close() }
        try? handle.seek(toOffset: UInt64(start))
        let text = String(decoding: handle.readData(ofLength: end - start), as: UTF8.self)
        return lags(of: text.split(separator: "\n"))
    }

    /// Lines "seconds.milliseconds /arrive/name" → each request's lag in ms (see the type's comment).
    static func lags(of lines: [Substring]) -> Lags {
        let second: Int64 = 1_000_000_000
        var phases: [Substring: Int64] = [:]
        let offsets: [Int64] = lines.compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 2, let name = fields[1].split(separator: "/").last else { return nil }
            let parts = fields[0].split(separator: ".")
            guard parts.count == 2, let s = Int64(parts[0]), let ms = Int64(parts[1]) else { return nil }
            let phase = phases[name] ?? Scheduler.phase(of: String(name), interval: .seconds(1))
            phases[name] = phase
            return ((s * second + ms * 1_000_000 - phase) % second + second) % second
        }
        // Offsets cluster just after the constant; centre them on the busiest millisecond so none wraps around.
        var perMillisecond = [Int](repeating: 0, count: 1000)
        for o in offsets { perMillisecond[Int(o / 1_000_000)] += 1 }
        let peak = Int64(perMillisecond.indices.max { perMillisecond[$0] < perMillisecond[$1] } ?? 0) * 1_000_000
        let centred = offsets.map { ($0 - peak + second + second / 2) % second - second / 2 }.sorted()
        guard !centred.isEmpty else { return Lags(sorted: []) }
        let constant = centred[centred.count / 1000]
        return Lags(sorted: centred.map { Double(max($0 - constant, 0)) / 1e6 })
    }

    private static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }
}
