import Foundation
import HealthConfig
import HealthCore
import HealthDaemon
import HealthSys

/// The same HTTP(S) targets probed side by side, in one run, by healthd and by Prometheus +
/// blackbox_exporter (the usual way to do it): CPU per probe and RSS of each. Over HTTPS both
/// make a new connection and a full, verified handshake per probe (the CA is in the system store).
enum BlackboxBench {
    static func run(scheme: String, port: UInt16, targets: Int, seconds: Double) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bb-\(UUID().uuidString.prefix(6))").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bbPort = freePort(), promPort = freePort()
        let url = "\(scheme)://127.0.0.1:\(port)/health"
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
                        target: .http(check(try! Endpoint(parsing: "\(url)?t=\(i)"))))
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
        line("blackbox.\(scheme).n\(targets)", "healthd \(fmt(oursPer)) µs CPU per probe (\(results) probes), Prometheus + blackbox_exporter " +
             "\(fmt(theirsPer)) µs (\(Int(scrapes)) probes): ratio \(fmt(oursPer / theirsPer)) (goal ≤ 0.125)")
        line("blackbox.\(scheme).rss", "healthd \(residentBytes() >> 20) MiB, blackbox_exporter \(rss(blackbox.processIdentifier) >> 20) MiB, " +
             "prometheus \(rss(prometheus.processIdentifier) >> 20) MiB")
    }

    private static func check(_ endpoint: Endpoint) -> HTTPCheck {
        var c = HTTPCheck(endpoint: endpoint, statuses: [200])
        if endpoint.scheme == "https" { c.tls = TLSSettings() }
        return c
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
        let prefix = "prometheus_target_interval_length_seconds_count{interval=\"1s\"} "
        let line = httpGet(port: port, path: "/metrics").split(separator: "\n").first { $0.hasPrefix(prefix) }
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

    /// A blocking GET on loopback (the bench's own thread, not the loop): the body, or "" on any error.
    private static func httpGet(port: Int, path: String) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "" }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return "" }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        return text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    }
}
