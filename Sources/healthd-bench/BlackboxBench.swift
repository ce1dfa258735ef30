import Foundation
import HealthConfig
import HealthCore
import HealthDaemon
import HealthSys

/// The same HTTP targets probed side by side, in one run, by healthd and by Prometheus +
/// blackbox_exporter (the usual way to do it): CPU per probe and RSS of each.
enum BlackboxBench {
    static func run(nginxPort: UInt16, targets: Int, seconds: Double) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bb-\(UUID().uuidString.prefix(6))").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bbPort = freePort(), promPort = freePort()
        let url = "http://127.0.0.1:\(nginxPort)/health"
        try? "modules:\n  http_2xx:\n    prober: http\n    timeout: 900ms\n".write(toFile: "\(dir)/blackbox.yml", atomically: true, encoding: .utf8)
        // Distinct query strings make distinct targets of the same endpoint, as distinct probes are in healthd.
        let list = (0..<targets).map { "\"\(url)?t=\($0)\"" }.joined(separator: ", ")
        try? """
            global: { scrape_interval: 1s, scrape_timeout: 1s }
            scrape_configs:
              - job_name: blackbox
                metrics_path: /probe
                params: { module: [http_2xx] }
                static_configs: [ { targets: [\(list)] } ]
                relabel_configs:
                  - { source_labels: [__address__], target_label: __param_target }
                  - { source_labels: [__param_target], target_label: instance }
                  - { target_label: __address__, replacement: "127.0.0.1:\(bbPort)" }

            """.write(toFile: "\(dir)/prometheus.yml", atomically: true, encoding: .utf8)
        let blackbox = launch("/usr/bin/prometheus-blackbox-exporter",
                              ["--config.file=\(dir)/blackbox.yml", "--web.listen-address=127.0.0.1:\(bbPort)"])
        let prometheus = launch("/usr/bin/prometheus",
                                ["--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/data",
                                 "--web.listen-address=127.0.0.1:\(promPort)"])
        defer { for p in [blackbox, prometheus] { p?.terminate(); p?.waitUntilExit() } }
        guard let blackbox, let prometheus else { line("blackbox", "cannot start prometheus-blackbox-exporter or prometheus"); return }

        let probes = (0..<targets).map { i in
            ProbeConfig(rules: ProbeRules(name: "http\(i)", kind: "http"), interval: .seconds(1), timeout: .milliseconds(900),
                        target: .http(HTTPCheck(endpoint: try! Endpoint(parsing: "\(url)?t=\(i)"), statuses: [200])))
        }
        guard let load = try? ProbeLoad(probes: probes) else { fatalError("event loop") }
        load.start()
        // Prometheus applies its scrape targets a few seconds after it starts.
        Thread.sleep(forTimeInterval: 8)
        load.reset()
        let ours0 = processCPUMicros()
        let theirs0 = cpuMicros(blackbox.processIdentifier) + cpuMicros(prometheus.processIdentifier)
        let scrapes0 = scrapeCount(promPort)
        Thread.sleep(forTimeInterval: seconds)
        let ours = Double(processCPUMicros() - ours0)
        let theirs = Double(cpuMicros(blackbox.processIdentifier) + cpuMicros(prometheus.processIdentifier) - theirs0)
        let scrapes = scrapeCount(promPort) - scrapes0
        let results = load.figures.results
        load.stop()
        let oursPer = ours / Double(max(results, 1))
        let theirsPer = theirs / Double(max(scrapes, 1))
        line("blackbox.http.n\(targets)", "healthd \(fmt(oursPer)) µs CPU per probe (\(results) probes), Prometheus + blackbox_exporter " +
             "\(fmt(theirsPer)) µs (\(Int(scrapes)) probes): ratio \(fmt(oursPer / theirsPer)) (goal ≤ 0.125)")
        line("blackbox.rss", "healthd \(residentBytes() >> 20) MiB, blackbox_exporter \(rss(blackbox.processIdentifier) >> 20) MiB, " +
             "prometheus \(rss(prometheus.processIdentifier) >> 20) MiB")
    }

    private static func launch(_ path: String, _ args: [String]) -> Process? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        return (try? p.run()) != nil ? p : nil
    }

    /// utime + stime of another process, from /proc/PID/stat.
    private static func cpuMicros(_ pid: Int32) -> Int64 {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let u = Int64(fields[11]), let s = Int64(fields[12]) else { return 0 }
        return (u + s) * 1_000_000 / Int64(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func rss(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kb * 1024
    }

    /// Probes Prometheus has run: every scrape records its interval in its own metrics.
    private static func scrapeCount(_ port: Int) -> Double {
        guard let data = try? Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/metrics")!) else { return 0 }
        let prefix = "prometheus_target_interval_length_seconds_count{interval=\"1s\"} "
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix(prefix) }
        return line.flatMap { Double($0.dropFirst(prefix.count)) } ?? 0
    }

    private static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
