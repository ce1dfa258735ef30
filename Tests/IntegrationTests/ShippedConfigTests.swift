import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The shipped example config, pointed at the test servers, follows the users' rules end to end:
/// healthy → degraded (150 jobs queued) → down (Redis stopped) → healthy (Redis back, queue drained).
@Suite(.serialized) struct ShippedConfigTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The example with its hosts, credentials and output pointed here, and its intervals shortened.
    func exampleConfig(dir: String, redisPort: Int) throws -> String {
        var text = try String(contentsOf: Self.root.appendingPathComponent("etc/healthd/healthd.json5"), encoding: .utf8)
        let replacements = [
            ("db:5432", "127.0.0.1:\(TestServers.postgresPort)"),
            ("redis:6379", "127.0.0.1:\(redisPort)"),
            ("http://prometheus:9090", "http://127.0.0.1:\(TestServers.prometheusPort)"),
            ("/run/healthd", dir),
            ("/var/lib/healthd", "\(dir)/state"),
            ("http://alertmanager:9093", "http://127.0.0.1:\(TestServers.alertmanagerPort)"),
            ("admin_group: \"healthd-admin\"", "admin_group: \"root\""),
            ("https://video-api.example.com", "https://127.0.0.1:\(TestServers.nginxTLSPort)"),
            ("https://avatar-api.example.com", "https://localhost:\(TestServers.nginxTLSPort)"),
            // The test certificate lives for two days: a fortnight's notice would always be due.
            ("cert.expires_in < 14d", "cert.expires_in < 1d"),
        ]
        for (from, to) in replacements { text = text.replacingOccurrences(of: from, with: to) }
        for slow in ["10s", "30s", "60s"] { text = text.replacingOccurrences(of: "interval: \"\(slow)\"", with: "interval: \"1s\"") }
        for slow in ["2s", "5s"] { text = text.replacingOccurrences(of: "timeout: \"\(slow)\"", with: "timeout: \"900ms\"") }
        return text
    }

    @Test func healthyDegradedDownHealthy() throws {
        try """
            enhancement_success_rate 0.99
            worker_active_count{worker_type="celery_enhancement"} 4
            enhancement_requests_total 1000

            """.write(toFile: "\(TestServers.textfileDir)/enhancement.prom", atomically: true, encoding: .utf8)
        let redis = try OwnRedis()
        let dir = try DaemonHarness.makeDir()
        let creds = "\(dir)/credentials"
        try FileManager.default.createDirectory(atPath: creds, withIntermediateDirectories: true)
        try "healthd-secret".write(toFile: "\(creds)/postgres", atomically: true, encoding: .utf8)
        try "healthd-secret".write(toFile: "\(creds)/redis", atomically: true, encoding: .utf8)
        try exampleConfig(dir: dir, redisPort: redis.port).write(toFile: "\(dir)/healthd.json5", atomically: true, encoding: .utf8)
        let daemon = try DaemonHarness(configPath: "\(dir)/healthd.json5", dir: dir, extraEnvironment: ["CREDENTIALS_DIRECTORY": creds])

        let healthy = daemon.waitForStatus(seconds: 30) { ($0["health"] as? String) == "healthy" && ($0["pending"] as? Int) == 0 }
        #expect(healthy?["health"] as? String == "healthy")

        redisCLI(port: redis.port, ["RPUSH", "celery"] + (0..<150).map { "job-\($0)" })
        let degraded = daemon.waitForStatus { ($0["reasons"] as? [String])?.contains("queue_depth: value 150 > 100") == true }
        #expect(degraded?["health"] as? String == "degraded")

        redis.stop()
        let down = daemon.waitForStatus { ($0["health"] as? String) == "down" }
        #expect((down?["reasons"] as? [String])?.contains { $0.hasPrefix("redis: down after 2 consecutive failures") } == true)
        // The queue probes are held back behind Redis, and the team's Alertmanager hears about Redis at once.
        let queue = daemon.waitForProbe("queue_depth") { $0["suppressed_by"] as? String == "redis" }
        #expect(queue?["suppressed_by"] as? String == "redis")
        waitUntil("the Redis alert posted to Alertmanager") {
            daemon.audit().contains { e in
                e["hook"] as? String == "alertmanager" && e["outcome"] as? String == "ok"
                    && (e["alerts"] as? [String])?.contains("probe redis firing down") == true
            }
        }

        try redis.start()  // a fresh server without persistence: the queue is empty again
        let recovered = daemon.waitForStatus(seconds: 30) { ($0["health"] as? String) == "healthy" }
        #expect(recovered?["health"] as? String == "healthy")
        // The users' "last 10 failures" ride along with their probe.
        let failures = (recovered?["probes"] as? [String: Any])?["recent_failures"] as? [String: Any]
        #expect((failures?["details"] as? [[String: Any]])?.count == 10)
    }
}
