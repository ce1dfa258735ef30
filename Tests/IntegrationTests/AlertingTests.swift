import Foundation
import HealthClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A probe whose health the test sets: an exec probe that exits with the Nagios code in a file.
struct SwitchProbe {
    let name: String
    let path: String

    init(_ name: String, in dir: String, initial: Int = 0) {
        self.name = name
        self.path = "\(dir)/\(name).state"
        set(initial)
    }

    /// 0 healthy, 1 degraded, 2 down.
    func set(_ code: Int) { try! "\(code)\n".write(toFile: path, atomically: true, encoding: .utf8) }

    var config: String {
        """
        { name: "\(name)", kind: "exec", argv: ["/bin/sh", "-c", "exit $(cat \(path))"], interval: "200ms", timeout: "150ms" }
        """
    }
}

/// A hook program that appends what it received (event, stdin JSON, HEALTHD_* variables) to a log.
struct RecordingHook {
    let script: String
    let log: String

    init(in dir: String, name: String = "rec") throws {
        script = "\(dir)/\(name).sh"
        log = "\(dir)/\(name).log"
        try """
            #!/bin/sh
            # One write per delivery, so a reader never sees half of one.
            block=$({ echo "=== $HEALTHD_EVENT"; cat; echo; env | grep '^HEALTHD_' | sort; })
            printf '%s\n' "$block" >> \(log)
            """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
    }

    typealias Delivery = (json: [String: Any], env: [String: String])

    /// Each delivery: its JSON and its environment.
    func deliveries() -> [Delivery] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.components(separatedBy: "=== ").dropFirst().compactMap { block in
            let lines = block.split(separator: "\n").map(String.init)
            guard lines.count >= 2, let json = try? JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any] else { return nil }
            var env: [String: String] = [:]
            for l in lines.dropFirst(2) {
                let parts = l.split(separator: "=", maxSplits: 1).map(String.init)
                if parts.count == 2 { env[parts[0]] = parts[1] }
            }
            return (json, env)
        }
    }

    @discardableResult
    func waitFor(count: Int, seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) -> [Delivery] {
        waitUntil("\(count) deliveries to the hook", seconds: seconds, sourceLocation: sourceLocation) { deliveries().count >= count }
        return deliveries()
    }

    /// What the hook received before the alert of `sentinel`, which this fires. The hook (concurrency 1) runs
    /// deliveries one at a time in the order the daemon sent them, so once the sentinel's arrives everything
    /// sent earlier has arrived too: the positive signal behind asserting that something was *not* sent.
    /// The sentinel must be healthy and covered by an alert to this hook.
    func deliveries(before sentinel: SwitchProbe, sourceLocation: SourceLocation = #_sourceLocation) -> [Delivery] {
        let isSentinel = { (d: Delivery) in d.json["name"] as? String == sentinel.name }
        sentinel.set(2)
        waitUntil("the sentinel's alert", sourceLocation: sourceLocation) { deliveries().contains(where: isSentinel) }
        return Array(deliveries().prefix { !isSentinel($0) })
    }
}

@Suite(.serialized) struct AlertingTests {
    @Test func execHookSeesFireChangeResolve() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let svc = SwitchProbe("svc", in: work)
        let hook = try RecordingHook(in: work)
        let d = try DaemonHarness(probes: "[\(svc.config)]", extra: """
            hooks: { rec: { kind: "exec", argv: ["\(hook.script)"], timeout: "5s", concurrency: 1 } },
            alerts: [ { probes: ["svc"], hooks: ["rec"] } ],
            """)
        d.waitForProbe("svc") { $0["health"] as? String == "healthy" }
        svc.set(1)
        _ = hook.waitFor(count: 1)
        svc.set(2)
        _ = hook.waitFor(count: 2)
        svc.set(0)
        let got = hook.waitFor(count: 3)
        guard got.count == 3 else { return }
        #expect(got.map { $0.json["event"] as? String } == ["firing", "changed", "resolved"])
        #expect(got.map { $0.json["level"] as? String } == ["degraded", "down", "healthy"])
        #expect(got.map { $0.json["previous_level"] as? String } == [nil, "degraded", "down"])
        #expect(got.map { $0.json["severity"] as? String } == ["warning", "critical", "critical"])
        #expect(got.map { $0.json["status"] as? String } == ["firing", "firing", "resolved"])
        #expect(got.allSatisfy { $0.json["name"] as? String == "svc" && $0.json["kind"] as? String == "probe" })
        #expect((got[1].json["reasons"] as? [String])?.first?.contains("check reports down") == true)
        #expect(got.map { $0.env["HEALTHD_LEVEL"] } == ["degraded", "down", "healthy"])
        #expect(got.map { $0.env["HEALTHD_PREVIOUS_LEVEL"] ?? "" } == ["", "degraded", "down"])
        #expect(got.allSatisfy { $0.env["HEALTHD_NAME"] == "svc" && $0.env["HEALTHD_SINCE"]?.hasSuffix("Z") == true })
        #expect(got[1].env["HEALTHD_REASONS"]?.contains("check reports down") == true)
        // Audited once each hook has exited, a moment after it wrote its record.
        waitUntil("three audited attempts") { d.audit().filter { $0["type"] as? String == "notification" }.count == 3 }
        let attempts = d.audit().filter { $0["type"] as? String == "notification" }
        #expect(attempts.count == 3)
        #expect(attempts.allSatisfy { $0["hook"] as? String == "rec" && $0["outcome"] as? String == "ok" && $0["latency_ms"] is Double })
    }

    @Test func webhookRetriesWithBackoffThenSucceeds() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let receiver = try WebhookReceiver(in: work, fails: 2)
        let token = "tok-\(UUID().uuidString.prefix(12))"
        try token.write(toFile: "\(work)/token", atomically: true, encoding: .utf8)
        let svc = SwitchProbe("web", in: work)
        let d = try DaemonHarness(probes: "[\(svc.config)]", extra: """
            hooks: { chat: { kind: "webhook", url: "http://127.0.0.1:\(receiver.port)/hook", retries: 3, backoff: "300ms",
                             header_files: { Authorization: "\(work)/token" } } },
            alerts: [ { probes: ["web"], min_level: "down", hooks: ["chat"] } ],
            """)
        d.waitForProbe("web") { $0["health"] as? String == "healthy" }
        svc.set(2)
        waitUntil("three posts") { receiver.posts().count >= 3 }
        let posts = receiver.posts()
        guard posts.count >= 3 else { return }
        #expect(posts.map { $0["status"] as? Int } == [500, 500, 204])
        let times = posts.map { $0["t"] as! Double }
        // Backoff 300 ms then 600 ms, each with ±50% jitter.
        #expect(times[1] - times[0] >= 0.14 && times[1] - times[0] <= 0.6, "first retry after \(times[1] - times[0]) s")
        #expect(times[2] - times[1] >= 0.29 && times[2] - times[1] <= 1.1, "second retry after \(times[2] - times[1]) s")
        #expect(posts.allSatisfy { $0["auth"] as? String == token })
        let alerts = (posts[2]["body"] as? [String: Any])?["alerts"] as? [[String: Any]]
        #expect(alerts?.count == 1 && alerts?.first?["name"] as? String == "web" && alerts?.first?["level"] as? String == "down")
        let attempts = d.audit().filter { $0["hook"] as? String == "chat" }
        #expect(attempts.map { $0["attempt"] as? Int } == [1, 2, 3])
        #expect(attempts.map { $0["outcome"] as? String } == ["failed", "failed", "ok"])
        #expect(attempts.first?["error"] as? String == "HTTP 500")
        // The token went to the receiver only.
        let everything = (try? String(contentsOfFile: d.auditPath, encoding: .utf8)) ?? ""
        #expect(!everything.contains(token))
        #expect(!(String(data: FileManager.default.contents(atPath: d.statusPath) ?? Data(), encoding: .utf8) ?? "").contains(token))
        d.signal(SIGTERM)
        _ = d.waitForExit(seconds: 5)
        #expect(!d.log().contains(token))
    }

    @Test func webhookThatNeverAnswersTimesOutAndGivesUp() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let silent = try SilentListener()
        let svc = SwitchProbe("mute", in: work)
        let d = try DaemonHarness(probes: "[\(svc.config)]", extra: """
            hooks: { hole: { kind: "webhook", url: "http://127.0.0.1:\(silent.port)/", timeout: "300ms", retries: 1, backoff: "100ms" } },
            alerts: [ { probes: ["mute"], hooks: ["hole"] } ],
            """)
        d.waitForProbe("mute") { $0["health"] as? String == "healthy" }
        svc.set(2)
        waitUntil("two attempts in the audit log") { d.audit().filter { $0["hook"] as? String == "hole" }.count >= 2 }
        let attempts = d.audit().filter { $0["hook"] as? String == "hole" }
        #expect(attempts.map { $0["outcome"] as? String } == ["failed", "gave_up"])
        #expect(attempts.allSatisfy { ($0["error"] as? String)?.hasPrefix("timeout: no answer within 300ms") == true })
        #expect(attempts.allSatisfy { ($0["latency_ms"] as? Double ?? 0) >= 290 })
        #expect(d.logSoFarContains("hook hole: gave_up (attempt 2)"))
    }

    @Test func alertmanagerShowsTheAlertThenResolvesIt() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let name = "am_\(UUID().uuidString.prefix(6).lowercased())"
        let svc = SwitchProbe(name, in: work)
        let am = "http://127.0.0.1:\(TestServers.alertmanagerPort)"
        let d = try DaemonHarness(probes: "[\(svc.config)]", extra: """
            hooks: { am: { kind: "alertmanager", urls: ["\(am)"], labels: { team: "ops" }, resend: "1s" } },
            alerts: [ { probes: ["\(name)"], hooks: ["am"] } ],
            """)
        d.waitForProbe(name) { $0["health"] as? String == "healthy" }
        svc.set(2)
        func ours() -> [[String: Any]] {
            let (status, body) = shell("/usr/bin/curl", ["-sf", "\(am)/api/v2/alerts"])
            guard status == 0, let list = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]] else { return [] }
            return list.filter { ($0["labels"] as? [String: String])?["probe"] == name }
        }
        waitUntil("Alertmanager to show the alert") { !ours().isEmpty }
        let alert = ours().first
        let labels = alert?["labels"] as? [String: String] ?? [:]
        #expect(labels["alertname"] == "HealthdProbe")
        #expect(labels["severity"] == "critical")
        #expect(labels["team"] == "ops")
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        #expect(labels["instance"] == String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        let annotations = alert?["annotations"] as? [String: String] ?? [:]
        #expect(annotations["summary"] == "probe \(name) is down")
        #expect(annotations["description"]?.contains("check reports down") == true)
        #expect((alert?["status"] as? [String: Any])?["state"] as? String == "active")
        // Re-sent every second while firing: Alertmanager's updatedAt moves.
        let updated = alert?["updatedAt"] as? String
        waitUntil("a resend") { (ours().first?["updatedAt"] as? String).map { $0 != updated } ?? false }
        svc.set(0)
        waitUntil("Alertmanager to drop the resolved alert") { ours().isEmpty }
        let posts = d.audit().filter { $0["hook"] as? String == "am" }
        #expect(posts.count >= 3 && posts.allSatisfy { $0["outcome"] as? String == "ok" && $0["status"] as? Int == 200 })
    }

    @Test func aConfigSilenceHoldsTheAlertUntilItEnds() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let svc = SwitchProbe("maint", in: work, initial: 2)
        let hook = try RecordingHook(in: work)
        let now = Date()
        let iso = ISO8601DateFormatter()
        let d = try DaemonHarness(probes: "[\(svc.config)]", extra: """
            hooks: { rec: { kind: "exec", argv: ["\(hook.script)"] } },
            alerts: [ { probes: ["maint"], hooks: ["rec"] } ],
            silences: [ { match: ["mai*"], start: "\(iso.string(from: now.addingTimeInterval(-60)))",
                          end: "\(iso.string(from: now.addingTimeInterval(3)))", reason: "planned work" } ],
            """)
        d.waitForSocket()
        d.waitForProbe("maint") { $0["health"] as? String == "down" }
        let c = try APIClient(path: d.socketPath)
        let alerts = (try JSONSerialization.jsonObject(with: Data(try c.request(#"{"op":"alerts"}"#))) as? [String: Any])?["alerts"] as? [[String: Any]]
        #expect(alerts?.first?["silenced_by"] as? String == "config-1", "firing, shown, silenced")
        #expect(hook.deliveries().isEmpty, "not sent while silenced")
        // The silence ends while the alert still fires: it is sent then.
        let got = hook.waitFor(count: 1, seconds: 8)
        #expect(got.first?.json["event"] as? String == "firing")
        // The config's end has whole seconds, so it is between 2 and 3 s from `now`.
        let end = iso.date(from: iso.string(from: now.addingTimeInterval(3)))!
        #expect(Date() >= end, "sent only once the silence was over")
    }

    @Test func aFlappingProbeIsToldOnceThenLeftQuiet() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let hook = try RecordingHook(in: work)
        let sentinel = SwitchProbe("sentinel", in: work)
        // Down, up, down, up …: every run changes the level.
        let flip = #"{ name: "flappy", kind: "exec", argv: ["/bin/sh", "-c", "n=$(cat \#(work)/n 2>/dev/null || echo 0); echo $((n+1)) > \#(work)/n; exit $(( n % 2 * 2 ))"], interval: "200ms", timeout: "150ms" }"#
        let d = try DaemonHarness(probes: "[\(flip), \(sentinel.config)]", extra: """
            hooks: { rec: { kind: "exec", argv: ["\(hook.script)"], concurrency: 1 } },
            alerts: [ { probes: ["flappy", "sentinel"], hooks: ["rec"] } ],
            """)
        d.waitForProbe("flappy", seconds: 10) { $0["flapping"] as? Bool == true }
        waitUntil("the flapping notice") { hook.deliveries().contains { $0.json["event"] as? String == "flapping" } }
        let atNotice = hook.deliveries().count
        let runs = windowCount(d.probe("flappy"))
        d.waitForProbe("flappy") { windowCount($0) >= runs + 10 }  // ten more changes
        let events = hook.deliveries(before: sentinel).map { $0.json["event"] as? String ?? "" }
        #expect(events.filter { $0 == "flapping" }.count == 1, "told once: \(events)")
        #expect(events.count == atNotice, "nothing more while it flaps: \(events)")
        #expect(atNotice <= 8, "the storm was cut short: \(events)")
    }

    @Test func childOfADownParentIsSuppressed() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let parent = SwitchProbe("db", in: work)
        let child = SwitchProbe("report", in: work)
        let sentinel = SwitchProbe("sentinel", in: work)
        let hook = try RecordingHook(in: work)
        let childConfig = child.config.replacingOccurrences(of: "timeout: \"150ms\" }", with: "timeout: \"150ms\", depends_on: [\"db\"] }")
        let d = try DaemonHarness(probes: "[\(parent.config), \(childConfig), \(sentinel.config)]", extra: """
            hooks: { rec: { kind: "exec", argv: ["\(hook.script)"], concurrency: 1 } },
            alerts: [ { probes: ["*"], min_level: "down", hooks: ["rec"] } ],
            """)
        d.waitForProbe("report") { $0["health"] as? String == "healthy" }
        parent.set(2)
        d.waitForProbe("db") { $0["health"] as? String == "down" }
        child.set(2)
        let report = d.waitForProbe("report") { $0["health"] as? String == "down" }
        #expect(report?["suppressed_by"] as? String == "db")
        #expect(hook.deliveries(before: sentinel).map { $0.json["name"] as? String } == ["db"], "only the root cause is told")
        parent.set(0)
        let got = hook.waitFor(count: 4)
        #expect(Set(got.dropFirst(2).map { "\($0.json["name"] as? String ?? ""):\($0.json["event"] as? String ?? "")" })
                == ["db:resolved", "report:firing"])
    }

    /// Both fail at once and the child, faster and with a threshold of 1, is down first: its alert waits for the
    /// parent, which is run at once and goes down, so only the parent is told.
    @Test func aChildDownBeforeItsFailingParentWaitsForIt() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let parent = SwitchProbe("db", in: work)
        let child = SwitchProbe("report", in: work)
        let sentinel = SwitchProbe("sentinel", in: work)
        let hook = try RecordingHook(in: work)
        let parentConfig = parent.config.replacingOccurrences(of: "interval: \"200ms\"", with: "interval: \"2s\", failure_threshold: 2")
        let childConfig = child.config.replacingOccurrences(of: "timeout: \"150ms\" }",
                                                            with: "timeout: \"150ms\", failure_threshold: 1, depends_on: [\"db\"] }")
        let d = try DaemonHarness(probes: "[\(parentConfig), \(childConfig), \(sentinel.config)]", extra: """
            hooks: { rec: { kind: "exec", argv: ["\(hook.script)"], concurrency: 1 } },
            alerts: [ { probes: ["*"], min_level: "down", hooks: ["rec"] } ],
            """)
        d.waitForProbe("db") { $0["health"] as? String == "healthy" }
        d.waitForProbe("report") { $0["health"] as? String == "healthy" }
        parent.set(2)
        child.set(2)
        let report = d.waitForProbe("report") { $0["suppressed_by"] as? String == "db" }
        #expect(report?["health"] as? String == "down")
        #expect(hook.deliveries(before: sentinel).map { $0.json["name"] as? String } == ["db"], "only the root cause is told")
    }

    @Test func auditLogRotatesAndNeverHoldsASecret() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let secret = "pw-\(UUID().uuidString.prefix(12))"
        try secret.write(toFile: "\(work)/token", atomically: true, encoding: .utf8)
        // A hook that leaks the secret on stdout, with padding so the log fills quickly.
        let leak = "\(work)/leak.sh"
        try "#!/bin/sh\ncat >/dev/null\necho \"token is $(cat \(work)/token)\"\nhead -c 1500 /dev/zero | tr '\\0' x\n"
            .write(toFile: leak, atomically: true, encoding: .utf8)
        chmod(leak, 0o755)
        let svc = SwitchProbe("flip", in: work)
        // Flipping on purpose: flap detection off, so every change is notified.
        let probe = svc.config.replacingOccurrences(of: " }", with: ", flapping: { low: 99, high: 100 } }")
        let d = try DaemonHarness(probes: "[\(probe)]", extra: """
            state: { dir: "\(work)/state", audit_max_bytes: 4096, audit_files: 2 },
            hooks: { leak: { kind: "exec", argv: ["\(leak)"], concurrency: 1 },
                     unused: { kind: "webhook", url: "http://127.0.0.1:1/", header_files: { "X-Token": "\(work)/token" } } },
            alerts: [ { probes: ["flip"], hooks: ["leak"] } ],
            """)
        d.waitForProbe("flip") { $0["health"] as? String == "healthy" }
        let audit = "\(work)/state/audit.log"
        for i in 0..<14 {
            svc.set(i % 2 == 0 ? 2 : 0)
            d.waitForProbe("flip") { $0["health"] as? String == (i % 2 == 0 ? "down" : "healthy") }
        }
        waitUntil("rotation to two old files") { FileManager.default.fileExists(atPath: audit + ".2") }
        #expect(!FileManager.default.fileExists(atPath: audit + ".3"), "audit_files: 2 keeps two old files")
        for file in [audit, audit + ".1", audit + ".2"] {
            let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            #expect(text.utf8.count <= 4096, "\(file) is \(text.utf8.count) bytes")
            #expect(!text.contains(secret), "\(file) holds the secret")
        }
        let rotated = (try? String(contentsOfFile: audit + ".1", encoding: .utf8)) ?? ""
        #expect(rotated.contains("token is [redacted]"))
        d.signal(SIGTERM)
        _ = d.waitForExit(seconds: 5)
        #expect(!d.log().contains(secret))
    }

    @Test func aHangingOrFloodingHookDelaysNothingElse() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let svc = SwitchProbe("busy", in: work)
        let hook = try RecordingHook(in: work)
        let d = try DaemonHarness(probes: "[\(svc.config)]", extra: """
            hooks: {
              hang: { kind: "exec", argv: ["/bin/sleep", "30"], timeout: "1500ms" },  // hangs on purpose, until its timeout
              flood: { kind: "exec", argv: ["/bin/sh", "-c", "yes flooding | head -c 30000000"], timeout: "20s" },
              rec: { kind: "exec", argv: ["\(hook.script)"] },
              quick: { kind: "exec", argv: ["/bin/true"] },  // exits without reading its stdin
            },
            alerts: [ { probes: ["busy"], hooks: ["hang", "flood", "rec", "quick"] } ],
            """, outputInterval: "200ms")
        d.waitForProbe("busy") { $0["health"] as? String == "healthy" }
        let before = Date()
        svc.set(2)
        _ = hook.waitFor(count: 1, seconds: 5)
        #expect(Date().timeIntervalSince(before) < 1.5, "the recording hook waited for the others")
        // Evaluation goes on while the hanging hook hangs: runs are counted before its timeout ends it.
        let runs = windowCount(d.probe("busy"))
        d.waitForProbe("busy") { windowCount($0) >= runs + 2 }
        #expect(!d.audit().contains { $0["hook"] as? String == "hang" }, "the runs waited for the hanging hook")
        svc.set(0)
        d.waitForProbe("busy") { $0["health"] as? String == "healthy" }
        _ = hook.waitFor(count: 2, seconds: 5)
        waitUntil("the hanging hook's timeout and the flood's end") {
            let a = d.audit()
            return a.contains { $0["hook"] as? String == "hang" } && a.contains { $0["hook"] as? String == "flood" }
        }
        let a = d.audit()
        let hang = a.first { $0["hook"] as? String == "hang" }
        #expect(hang?["outcome"] as? String == "timeout")
        #expect((hang?["latency_ms"] as? Double ?? 0) >= 1400)
        let flood = a.first { $0["hook"] as? String == "flood" }
        #expect(flood?["outcome"] as? String == "ok")
        #expect((flood?["output_dropped_bytes"] as? Int ?? 0) > 29_000_000)
        #expect((flood?["stdout"] as? String)?.hasPrefix("flooding\nflooding") == true)
        #expect(a.filter { $0["hook"] as? String == "quick" }.map { $0["outcome"] as? String } == ["ok", "ok"])
    }
}

/// Tests/Fixtures/webhook_receiver.py on a port of its own.
final class WebhookReceiver {
    let port: Int
    let log: String
    private let process = Process()

    init(in dir: String, fails: Int) throws {
        let portFile = "\(dir)/receiver.port"
        log = "\(dir)/receiver.log"
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [root.appendingPathComponent("Fixtures/webhook_receiver.py").path, portFile, log, "\(fails)"]
        try process.run()
        port = waitFor("the webhook receiver's port") {
            Int((try? String(contentsOfFile: portFile, encoding: .utf8)) ?? "")
        } until: { $0 != nil } ?? 0
    }

    func posts() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    /// SIGKILL: the test process blocks most signals, and its children inherit that mask.
    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
