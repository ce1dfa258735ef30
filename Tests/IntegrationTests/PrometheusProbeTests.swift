import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The prometheus probe against a real Prometheus scraping node_exporter's textfile collector,
/// whose values the test writes.
@Suite(.serialized) struct PrometheusProbeTests {
    func writeMetrics(_ text: String) throws {
        let dir = TestServers.textfileDir
        // The exposition format wants every line, the last too, ended by a newline.
        try (text.hasSuffix("\n") ? text : text + "\n").write(toFile: "\(dir)/.healthd-test.prom.tmp", atomically: false, encoding: .utf8)
        rename("\(dir)/.healthd-test.prom.tmp", "\(dir)/healthd-test.prom")
    }

    func probe(_ name: String, _ query: String, port: Int = TestServers.prometheusPort, failures: Int = 1, _ extra: String = "") -> String {
        #"{ name: "\#(name)", kind: "prometheus", url: "http://127.0.0.1:\#(port)", query: "\#(query)", interval: "500ms", timeout: "400ms", failure_threshold: \#(failures) \#(extra) }"#
    }

    @Test func scalarVectorEmptyManyAndErrors() throws {
        try writeMetrics("""
            hd_queue_depth{queue_name="celery"} 150
            hd_queue_depth{queue_name="other"} 3
            hd_success_rate 0.97
            """)
        let d = try DaemonHarness(probes: "[" + [
            probe("scalar", "scalar(hd_success_rate)"),
            probe("one", #"hd_queue_depth{queue_name=\"celery\"}"#, #", degraded: ["value > 100"]"#),
            probe("empty", "hd_absent_metric"),
            probe("empty_required", "hd_absent_metric", #", require_data: true"#),
            probe("many", "hd_queue_depth"),
            probe("bad_promql", "sum(("),
            probe("nan", "0/0 * scalar(hd_success_rate)"),
        ].joined(separator: ",") + "]")
        // Prometheus picks up its scrape target within a few seconds of starting.
        let one = d.waitForProbe("one", seconds: 30) { $0["value"] as? Int == 150 }
        #expect(one?["health"] as? String == "degraded")
        #expect(one?["reasons"] as? [String] == ["value 150 > 100"])
        #expect(d.waitForProbe("scalar") { $0["value"] as? Double == 0.97 } != nil)
        let empty = d.waitForProbe("empty") { $0["ok"] as? Bool == true }
        #expect(empty?["no_data"] as? Bool == true)
        #expect(empty?["health"] as? String == "healthy")
        #expect(category(d.waitForProbe("empty_required") { $0["health"] as? String == "down" }) == "assertion")
        let many = d.waitForProbe("many") { $0["health"] as? String == "down" }
        #expect(message(many)?.contains("aggregate") == true)
        let bad = d.waitForProbe("bad_promql") { $0["health"] as? String == "down" }
        #expect(message(bad)?.contains("bad_data") == true)
        #expect(d.waitForProbe("nan") { $0["no_data"] as? Bool == true } != nil)
    }

    @Test func serverDownThenBackStaleThenFresh() throws {
        try writeMetrics("hd_workers 4\n")
        let prometheus = try OwnPrometheus()
        let d = try DaemonHarness(probes: "[" + probe("workers", "hd_workers", port: prometheus.port, #", critical: false"#) + "]")
        _ = d.waitForProbe("workers", seconds: 40) { $0["value"] as? Int == 4 }
        prometheus.stop()
        let stale = d.waitForProbe("workers") { $0["stale"] as? Bool == true }
        #expect(stale?["value"] as? Int == 4)
        #expect(stale?["stale_for_s"] != nil)
        #expect(stale?["ok"] as? Bool == false)
        try writeMetrics("hd_workers 5\n")
        try prometheus.start()
        let fresh = d.waitForProbe("workers", seconds: 40) { $0["value"] as? Int == 5 }
        #expect(fresh?["stale"] as? Bool == false)
        #expect(fresh?["health"] as? String == "healthy")
    }

    @Test func fallbackSwitchesBothWays() throws {
        try writeMetrics("hd_p95_seconds 0.2\n")
        let prometheus = try OwnPrometheus(startNow: false)
        // "primary" asks a Prometheus that is not there yet; "backup" is its fallback.
        let d = try DaemonHarness(probes: "[" + [
            probe("primary", "hd_p95_seconds", port: prometheus.port, failures: 1000, #", fallback: "backup", degraded: ["value > 500ms"]"#),
            probe("backup", "vector(0.7)"),
        ].joined(separator: ",") + "]")
        let viaFallback = d.waitForProbe("primary", seconds: 30) { $0["value_source"] as? String == "backup" }
        #expect(viaFallback?["value"] as? Double == 0.7)
        #expect(viaFallback?["stale"] as? Bool == false)
        #expect(viaFallback?["health"] as? String == "degraded")
        #expect(viaFallback?["reasons"] as? [String] == ["value 700ms > 500ms"])
        try prometheus.start()
        let own = d.waitForProbe("primary", seconds: 40) { $0["value"] as? Double == 0.2 }
        #expect(own?["value_source"] == nil)
        #expect(own?["health"] as? String == "healthy")
    }
}

/// A Prometheus of a test's own (same scrape config as the shared one), so it can be stopped and started.
final class OwnPrometheus {
    let port = closedPort()
    private let storage = FileManager.default.temporaryDirectory.appendingPathComponent("prom-\(UUID().uuidString.prefix(6))").path
    private var process: Process?

    init(startNow: Bool = true) throws { if startNow { try start() } }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        p.arguments = ["--config.file=\(TestServers.prometheusConfig)", "--storage.tsdb.path=\(storage)",
                       "--web.listen-address=127.0.0.1:\(port)"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
    }

    func stop() {
        process?.terminate()
        process?.waitUntilExit()
        process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: storage)
    }
}
