import Foundation
import Testing

/// `https://` and `rediss://` against nginx and Redis with real certificates: trusted by the system
/// store (scripts/test adds its CA there for the run), by a CA file, untrusted, expired, for another
/// host, and a server that wants a client certificate; and a webhook to an HTTPS receiver.
@Suite(.serialized) struct TLSProbeTests {
    func probe(_ name: String, _ url: String, _ extra: String = "", kind: String = "http") -> String {
        #"{ name: "\#(name)", kind: "\#(kind)", url: "\#(url)", interval: "500ms", timeout: "450ms", failure_threshold: 1 \#(extra) }"#
    }

    var dir: String { TestServers.tlsDir }

    @Test func httpsReportsTheCertificateAndWhatIsWrongWithIt() throws {
        let tls = TestServers.nginxTLSPort
        let d = try DaemonHarness(probes: "[" + [
            probe("trusted", "https://127.0.0.1:\(tls)/health",
                  #", expect: { status: [200], json: [{ path: "$.status", value: "operational" }] }, degraded: ["cert.expires_in < 14d"], down: ["cert.expires_in < 1h"]"#),
            probe("by_name", "https://localhost:\(tls)/health", #", tls: { ca_file: "\#(dir)/ca.crt" }"#),
            probe("redirect", "https://127.0.0.1:\(tls)/moved", #", expect: { status: [200] }"#),
            probe("untrusted", "https://127.0.0.1:\(TestServers.nginxUntrustedPort)/"),
            probe("skip_verify", "https://127.0.0.1:\(TestServers.nginxUntrustedPort)/", #", tls: { insecure_skip_verify: true }"#),
            probe("wrong_ca", "https://127.0.0.1:\(tls)/health", #", tls: { ca_file: "\#(dir)/wrongca.crt" }"#),
            probe("expired", "https://127.0.0.1:\(TestServers.nginxExpiredPort)/health"),
            probe("other_host", "https://127.0.0.1:\(TestServers.nginxOtherHostPort)/health"),
            probe("named", "https://127.0.0.1:\(TestServers.nginxOtherHostPort)/health", #", tls: { server_name: "other.example.com" }"#),
            probe("no_client_cert", "https://127.0.0.1:\(TestServers.nginxClientCertPort)/health"),
            probe("client_cert", "https://127.0.0.1:\(TestServers.nginxClientCertPort)/health",
                  #", tls: { cert_file: "\#(dir)/client.crt", key_file: "\#(dir)/client.key" }"#),
            probe("closed", "https://127.0.0.1:\(closedPort())/"),
        ].joined(separator: ",") + "]")

        let ok = d.waitForProbe("trusted") { $0["ok"] is Bool }
        #expect(ok?["health"] as? String == "degraded", "\(String(describing: ok))")
        let facts = ok?["tls"] as? [String: Any]
        #expect((facts?["version"] as? String)?.hasPrefix("TLSv1.") == true)
        #expect((facts?["cipher"] as? String)?.isEmpty == false)
        #expect(facts?["subject"] as? String == "CN=localhost")
        #expect(facts?["issuer"] as? String == "CN=healthd test CA")
        #expect(facts?["dns_names"] as? [String] == ["127.0.0.1", "localhost"] || facts?["dns_names"] as? [String] == ["localhost", "127.0.0.1"])
        // Right to the hour: the certificate scripts/test made expires at a known instant.
        let expected = TestServers.serverCertNotAfter - Date().timeIntervalSince1970
        let expiresIn = facts?["expires_in_s"] as? Double ?? 0
        #expect(abs(expiresIn - expected) < 3600, "expires_in_s \(expiresIn), expected ≈ \(expected)")
        #expect((ok?["reasons"] as? [String])?.contains { $0.hasPrefix("cert.expires_in ") && $0.hasSuffix("d < 14d") } == true,
                "\(String(describing: ok?["reasons"]))")
        let timings = ok?["timings_ms"] as? [String: Double] ?? [:]
        for phase in ["connect", "tls", "first_byte", "total"] { #expect(timings[phase] != nil, "timings_ms.\(phase)") }
        #expect((timings["connect"] ?? 99) <= (timings["tls"] ?? 0))
        #expect((timings["tls"] ?? 99) <= (timings["first_byte"] ?? 0))

        #expect(d.waitForProbe("by_name") { $0["ok"] is Bool }?["health"] as? String == "healthy")
        #expect(d.waitForProbe("skip_verify") { $0["ok"] is Bool }?["health"] as? String == "healthy")
        #expect(d.waitForProbe("named") { $0["ok"] is Bool }?["health"] as? String == "healthy")
        #expect(d.waitForProbe("client_cert") { $0["ok"] is Bool }?["health"] as? String == "healthy")
        #expect(message(d.waitForProbe("redirect") { $0["ok"] is Bool })?.hasPrefix("status 302") == true)
        #expect(category(d.waitForProbe("closed") { $0["ok"] is Bool }) == "refused")

        let failures: [(String, String)] = [
            ("untrusted", "signed by an unknown issuer"),
            ("wrong_ca", "signed by an unknown issuer CN=healthd test CA"),
            ("expired", "certificate expired on "),
            ("other_host", "certificate is not for 127.0.0.1: it holds other.example.com"),
            ("no_client_cert", "the server asked for a client certificate and none is configured"),
        ]
        for (name, text) in failures {
            let p = d.waitForProbe(name) { $0["ok"] is Bool }
            #expect(p?["health"] as? String == "down", "\(name)")
            #expect(category(p) == "tls", "\(name)")
            #expect(message(p)?.contains(text) == true, "\(name): \(String(describing: message(p)))")
        }
        // The expiry date in the message is the certificate's.
        let expiredNotAfter = Date(timeIntervalSince1970: Double(ProcessInfo.processInfo.environment["HEALTHD_TEST_EXPIRED_CERT_NOT_AFTER"] ?? "") ?? 0)
        let iso = ISO8601DateFormatter().string(from: expiredNotAfter)
        #expect(message(d.probe("expired"))?.contains(iso) == true, "\(iso)")

        let prom = String(decoding: FileManager.default.contents(atPath: "\(d.dir)/healthd.prom") ?? Data(), as: UTF8.self)
        let line = prom.split(separator: "\n").first { $0.hasPrefix("healthd_probe_cert_expiry_timestamp_seconds{probe=\"trusted\"}") }
        #expect(line.map { Double($0.split(separator: " ").last ?? "") } == TestServers.serverCertNotAfter, "\(String(describing: line))")
    }

    @Test func redisOverTLS() throws {
        let port = TestServers.redisTLSPort
        let d = try DaemonHarness(probes: "[" + [
            probe("ca_file", "rediss://:redis-secret@127.0.0.1:\(port)", #", tls: { ca_file: "\#(dir)/ca.crt" }"#, kind: "redis"),
            probe("system", "rediss://healthd:healthd-secret@localhost:\(port)", #", command: ["DBSIZE"]"#, kind: "redis"),
            probe("wrong_ca", "rediss://:redis-secret@127.0.0.1:\(port)", #", tls: { ca_file: "\#(dir)/wrongca.crt" }"#, kind: "redis"),
            probe("plain_to_tls", "redis://:redis-secret@127.0.0.1:\(port)", kind: "redis"),
        ].joined(separator: ",") + "]")
        let ok = d.waitForProbe("ca_file") { $0["ok"] is Bool }
        #expect(ok?["health"] as? String == "healthy", "\(String(describing: message(ok)))")
        #expect((ok?["tls"] as? [String: Any])?["subject"] as? String == "CN=localhost")
        let system = d.waitForProbe("system") { $0["ok"] is Bool }
        #expect(system?["health"] as? String == "healthy", "\(String(describing: message(system)))")
        #expect(system?["value"] is Double)
        let wrong = d.waitForProbe("wrong_ca") { $0["ok"] is Bool }
        #expect(category(wrong) == "tls")
        #expect(message(wrong)?.contains("unknown issuer") == true)
        // Plain RESP to a TLS port: the server drops us; nothing hangs until the timeout.
        #expect(d.waitForProbe("plain_to_tls") { $0["ok"] is Bool }?["health"] as? String == "down")
    }

    @Test func aWebhookToAnHTTPSReceiver() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let name = "hook_\(UUID().uuidString.prefix(6).lowercased())"
        let svc = SwitchProbe(name, in: work)
        let url = "https://localhost:\(TestServers.nginxHookPort)/hook/\(name)"
        let d = try DaemonHarness(probes: "[\(svc.config)]", extra: """
            hooks: { receiver: { kind: "webhook", url: "\(url)", tls: { ca_file: "\(dir)/ca.crt" } } },
            alerts: [ { probes: ["\(name)"], hooks: ["receiver"] } ],
            """)
        d.waitForProbe(name) { $0["health"] as? String == "healthy" }
        svc.set(2)
        waitUntil("the HTTPS receiver to log the alert") {
            let log = String(decoding: FileManager.default.contents(atPath: TestServers.nginxHookLog) ?? Data(), as: UTF8.self)
            return log.contains("/hook/\(name)\t200") && log.contains("\"name\":\"\(name)\",\"kind\":\"probe\",\"event\":\"firing\"")
        }
        let posts = d.audit().filter { $0["hook"] as? String == "receiver" }
        #expect(posts.contains { $0["outcome"] as? String == "ok" && $0["status"] as? Int == 200 })
    }
}
