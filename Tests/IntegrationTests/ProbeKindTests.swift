import Foundation
import Testing

/// Each probe kind against real peers on loopback: nginx, a closed port, a listener that never
/// answers, monitoring-plugins and scripts.
@Suite(.serialized) struct ProbeKindTests {
    @Test func httpAndTCPAgainstNginx() throws {
        let port = TestServers.nginxPort
        let d = try DaemonHarness(probes: """
            [ { name: "web", kind: "http", url: "http://127.0.0.1:\(port)/health", interval: "500ms", timeout: "400ms",
                expect: { status: [200] } },
              { name: "web_root", kind: "http", url: "http://localhost:\(port)/", interval: "500ms", timeout: "400ms" },
              { name: "gone", kind: "http", url: "http://127.0.0.1:\(port)/unavailable", interval: "500ms", timeout: "400ms",
                failure_threshold: 2 },
              { name: "port", kind: "tcp", url: "tcp://127.0.0.1:\(port)", interval: "500ms", timeout: "400ms" } ]
            """)
        let web = d.waitForProbe("web") { ($0["health"] as? String) == "healthy" }
        #expect(web?["ok"] as? Bool == true)
        #expect(web?["message"] as? String == "200 OK")
        #expect((web?["latency_ms"] as? Double ?? -1) > 0)
        _ = d.waitForProbe("web_root") { ($0["health"] as? String) == "healthy" }
        _ = d.waitForProbe("port") { ($0["health"] as? String) == "healthy" }
        let gone = d.waitForProbe("gone") { ($0["health"] as? String) == "down" }
        let err = gone?["error"] as? [String: Any]
        #expect(err?["category"] as? String == "assertion")
        #expect((err?["message"] as? String)?.hasPrefix("status 503") == true)
    }

    @Test func refusedAndTimeout() throws {
        let silent = try SilentListener()
        let closed = closedPort()
        let d = try DaemonHarness(probes: """
            [ { name: "refused", kind: "tcp", url: "tcp://127.0.0.1:\(closed)", interval: "300ms", timeout: "200ms", failure_threshold: 2 },
              { name: "hung", kind: "http", url: "http://127.0.0.1:\(silent.port)/", interval: "500ms", timeout: "200ms", failure_threshold: 2 },
              { name: "nxdomain", kind: "tcp", url: "tcp://no-such-host.invalid:80", interval: "500ms", timeout: "400ms", failure_threshold: 1 } ]
            """)
        let refused = d.waitForProbe("refused") { ($0["health"] as? String) == "down" }
        #expect((refused?["error"] as? [String: Any])?["category"] as? String == "refused")
        let hung = d.waitForProbe("hung") { ($0["health"] as? String) == "down" }
        let err = hung?["error"] as? [String: Any]
        #expect(err?["category"] as? String == "timeout")
        #expect(err?["message"] as? String == "no answer within 200ms")
        let dns = d.waitForProbe("nxdomain") { ($0["health"] as? String) == "down" }
        #expect((dns?["error"] as? [String: Any])?["category"] as? String == "dns")
        _ = silent
    }

    @Test func aHungProbeDelaysNoOther() throws {
        let silent = try SilentListener()
        // Ten probes that hang until their timeout, and one fast probe every 100 ms beside them.
        let hung = (0..<10).map { i in
            #"{ name: "hung\#(i)", kind: "http", url: "http://127.0.0.1:\#(silent.port)/", interval: "1s", timeout: "900ms" }"#
        }.joined(separator: ",")
        let d = try DaemonHarness(probes: """
            [ \(hung), { name: "fast", kind: "tcp", url: "tcp://127.0.0.1:\(TestServers.nginxPort)", interval: "100ms", timeout: "50ms" } ]
            """)
        let start = d.waitForProbe("fast") { windowCount($0) >= 1 }
        let t0 = Date()
        let later = d.waitForProbe("fast") { windowCount($0) >= windowCount(start) + 20 }
        // 20 runs at 100 ms take 2 s on schedule; allow for a loaded machine, not for hung neighbours (0.9 s each).
        #expect(Date().timeIntervalSince(t0) < 4)
        #expect(later?["health"] as? String == "healthy")
        _ = silent
    }

    @Test func execNagiosPlugins() throws {
        let dummy = "/usr/lib/nagios/plugins/check_dummy"
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("healthd-check-\(UUID().uuidString.prefix(6)).sh").path
        try "#!/bin/sh\necho 'QUEUE OK - 42 jobs|depth=42;100;1000;0'\nexit 0\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        defer { unlink(script) }
        let d = try DaemonHarness(probes: """
            [ { name: "ok", kind: "exec", argv: ["\(dummy)", "0", "all good"], interval: "500ms", timeout: "400ms" },
              { name: "warn", kind: "exec", argv: ["\(dummy)", "1", "disk getting full"], interval: "500ms", timeout: "400ms" },
              { name: "crit", kind: "exec", argv: ["\(dummy)", "2", "on fire"], interval: "500ms", timeout: "400ms" },
              { name: "unknown", kind: "exec", argv: ["\(dummy)", "3", "confused"], interval: "500ms", timeout: "400ms", failure_threshold: 1 },
              { name: "value", kind: "exec", argv: ["\(script)"], interval: "500ms", timeout: "400ms", degraded: ["value > 10"] },
              { name: "missing", kind: "exec", argv: ["/nonexistent/check"], interval: "500ms", timeout: "400ms", failure_threshold: 1 } ]
            """)
        let ok = d.waitForProbe("ok") { $0["health"] as? String == "healthy" }
        #expect(ok?["message"] as? String == "OK: all good")
        let warn = d.waitForProbe("warn") { $0["health"] as? String == "degraded" }
        #expect(warn?["reasons"] as? [String] == ["check reports degraded: WARNING: disk getting full"])
        _ = d.waitForProbe("crit") { $0["health"] as? String == "down" }
        let unknown = d.waitForProbe("unknown") { $0["health"] as? String == "down" }
        #expect((unknown?["error"] as? [String: Any])?["category"] as? String == "exec")
        let value = d.waitForProbe("value") { $0["health"] as? String == "degraded" }
        #expect(value?["value"] as? Int == 42)
        #expect(value?["reasons"] as? [String] == ["value 42 > 10"])
        let missing = d.waitForProbe("missing") { $0["health"] as? String == "down" }
        #expect(((missing?["error"] as? [String: Any])?["message"] as? String)?.contains("No such file") == true)
    }

    @Test func execTimeoutKillsTheProcessGroup() throws {
        let marker = "healthd-hang-\(UUID().uuidString.prefix(8))"
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("\(marker).sh").path
        // The plugin starts a grandchild that hangs, and waits: both must be gone after the timeout.
        try "#!/bin/sh\nsh -c 'sleep 300; true' \"$0\" &\nwait\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        defer { unlink(script) }
        let d = try DaemonHarness(probes: """
            [ { name: "hang", kind: "exec", argv: ["\(script)"], interval: "1s", timeout: "300ms", failure_threshold: 1 } ]
            """)
        let hang = d.waitForProbe("hang") { $0["health"] as? String == "down" }
        #expect((hang?["error"] as? [String: Any])?["category"] as? String == "timeout")
        // Once killed, none is left until the next run a second later; a surviving grandchild would stay 300 s.
        waitUntil("the plugin and its grandchild to be killed") { processesMatching(marker) == 0 }
        d.signal(SIGTERM)
        #expect(d.waitForExit(seconds: 5) == 0)
    }
}

/// Live processes whose command line mentions `text`.
func processesMatching(_ text: String) -> Int {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.filter { pid in
        guard Int(pid) != nil, let cmd = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        let zombie = stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? false
        return !zombie && String(decoding: cmd, as: UTF8.self).contains(text)
    }.count
}

/// `expect` beyond the status, and `value_from_json`, against nginx's JSON answers.
@Suite struct HTTPExpectationTests {
    @Test func bodyAndJSONChecks() throws {
        let port = TestServers.nginxPort
        func probe(_ name: String, _ path: String, _ extra: String) -> String {
            #"{ name: "\#(name)", kind: "http", url: "http://127.0.0.1:\#(port)\#(path)", interval: "300ms", timeout: "250ms", failure_threshold: 1, \#(extra) }"#
        }
        let d = try DaemonHarness(probes: "[" + [
            probe("operational", "/health", #"expect: { status: [200], body_contains: "operational", body_regex: "\"status\":\\s*\"oper", json: [{ path: "$.status", op: "==", value: "operational" }] }"#),
            probe("not_operational", "/health", #"expect: { json: [{ path: "$.status", value: "down" }] }"#),
            probe("missing_text", "/health", #"expect: { body_contains: ["operational", "maintenance"] }"#),
            probe("depth", "/queue", #"value_from_json: "$.queue.depth", degraded: ["value > 10"], expect: { json: [{ path: "$.queue.workers[0].busy", value: true }, { path: "$.queue.depth", op: "<", value: 100 }] }"#),
            probe("not_json", "/", #"value_from_json: "$.x""#),
        ].joined(separator: ",") + "]")
        #expect(d.waitForProbe("operational") { $0["health"] as? String == "healthy" } != nil)
        let down = d.waitForProbe("not_operational") { $0["health"] as? String == "down" }
        #expect(message(down) == #"$.status is "operational", expected == "down""#)
        #expect(message(d.waitForProbe("missing_text") { $0["health"] as? String == "down" }) == #"the body does not contain "maintenance""#)
        let depth = d.waitForProbe("depth") { $0["value"] as? Int == 42 }
        #expect(depth?["health"] as? String == "degraded")
        #expect(message(d.waitForProbe("not_json") { $0["health"] as? String == "down" }) == "the body is not JSON")
    }
}
