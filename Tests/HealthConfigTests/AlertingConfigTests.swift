import Foundation
import HealthCore
import Testing
@testable import HealthConfig

@Suite struct AlertingConfigTests {
    let support = ConfigTests()
    func parse(_ text: String) throws(ConfigError) -> Config { try support.parse(text) }
    func issues(_ text: String) -> [String] { support.issues(text) }

    @Test func fullAlertingSectionParses() throws {
        let tokenFile = NSTemporaryDirectory() + "healthd-token-\(getpid())"
        try "s3cret-token\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let c = try parse("""
            {
              state: { dir: "/tmp/st", checkpoint_interval: "30s", audit_max_bytes: 65536, audit_files: 2 },
              probes: [
                { name: "db", kind: "tcp", url: "tcp://127.0.0.1:5432" },
                { name: "rate", kind: "tcp", url: "tcp://127.0.0.1:5433", depends_on: ["db"],
                  slo: { objective: 0.999 }, flapping: { low: 10, high: 30 } },
                { name: "api", kind: "tcp", url: "tcp://127.0.0.1:80",
                  slo: { objective: 0.99, windows: [{ long: "1h", short: "5m", burn: 14.4, level: "down" }] } },
              ],
              components: [ { name: "data", probes: ["db", "rate"] } ],
              hooks: {
                page: { kind: "exec", argv: ["/usr/local/bin/page", "--now"], timeout: "5s", concurrency: 1 },
                chat: { kind: "webhook", url: "https://chat.example/hook", headers: { "X-Team": "ops" },
                        header_files: { Authorization: "\(tokenFile)" }, retries: 2, backoff: "500ms", queue: 10 },
                am: { kind: "alertmanager", urls: ["http://127.0.0.1:9093", "http://127.0.0.1:9094"], labels: { team: "ops" } },
              },
              alerts: [
                { probes: ["db", "r*"], min_level: "down", for: "1m", repeat: "1h", hooks: ["page", "am"] },
                { components: ["data"], system: true, send_resolved: false, hooks: ["chat"] },
              ],
              silences: [
                { match: ["rate"], start: "2026-11-22T10:00:00Z", end: "2026-11-22T12:00:00Z", reason: "migration" },
                { match: ["*"], weekly: { days: ["sat", "Sunday"], at: "02:30", duration: "1h" }, reason: "backups" },
              ],
            }
            """)
        #expect(c.state.dir == "/tmp/st")
        #expect(c.state.checkpointInterval == .seconds(30))
        #expect(c.state.auditMaxBytes == 65536 && c.state.auditFiles == 2)
        #expect(c.probes[1].rules.dependsOn == ["db"])
        #expect(c.probes[1].rules.slo == SLO(objective: 0.999))
        #expect(c.probes[1].rules.flapLow == 10 && c.probes[1].rules.flapHigh == 30)
        #expect(c.probes[2].rules.slo?.windows == [SLO.Window(long: .hours(1), short: .minutes(5), burn: 14.4, level: .down)])
        #expect(c.hooks.map(\.name) == ["am", "chat", "page"])
        guard case .webhook(let chat) = c.hooks[1].kind, case .exec(let page) = c.hooks[2].kind,
              case .alertmanager(let am) = c.hooks[0].kind else { Issue.record("hook kinds"); return }
        #expect(page.argv == ["/usr/local/bin/page", "--now"] && page.concurrency == 1 && page.timeout == .seconds(5))
        #expect(chat.secretHeaders == [WebhookHook.Header(name: "Authorization", value: "s3cret-token")])
        #expect(chat.headers == [WebhookHook.Header(name: "X-Team", value: "ops")])
        #expect(chat.retries == 2 && chat.backoff == .milliseconds(500) && chat.queue == 10)
        #expect(am.endpoints.map(\.port) == [9093, 9094] && am.resend == .seconds(60))
        #expect(am.labels.map { "\($0)=\($1)" } == ["team=ops"])
        #expect(c.alerts[0] == AlertRule(probes: ["db", "r*"], minLevel: .down, holdFor: .minutes(1), repeatEvery: .hours(1),
                                         hooks: ["page", "am"]))
        #expect(c.alerts[1] == AlertRule(components: ["data"], system: true, sendResolved: false, hooks: ["chat"]))
        #expect(c.silences[0].schedule == .once(start: Timestamp(iso8601: "2026-11-22T10:00:00Z")!,
                                                end: Timestamp(iso8601: "2026-11-22T12:00:00Z")!))
        #expect(c.silences[1].schedule == .weekly(days: [6, 0], start: .minutes(150), duration: .hours(1)))
        #expect(c.secrets == ["s3cret-token"])
    }

    @Test func mistakesNameTheirFields() {
        let found = issues("""
            {
              probes: [
                { name: "a", kind: "tcp", url: "tcp://h:1", depends_on: ["b"] },
                { name: "b", kind: "tcp", url: "tcp://h:2", depends_on: ["a", "nope"] },
                { name: "c", kind: "tcp", url: "tcp://h:3", depends_on: ["c"], slo: { objective: 99.9 },
                  flapping: { low: 30, high: 10 } },
              ],
              hooks: { x: { kind: "sms" }, w: { kind: "webhook", url: "ftp://h:21/" } },
              alerts: [ { probes: ["zzz*"], min_level: "bad", hooks: ["y"] }, { hooks: ["x"] } ],
              silences: [ { match: ["a"], start: "tomorrow", end: "2026-11-22T10:00:00Z", reason: "r" },
                          { match: ["a"], weekly: { days: ["funday"], at: "25:00", duration: "1h" }, reason: "r" } ],
            }
            """)
        let expected = [
            "probes[0].depends_on: depends on itself through b: remove the cycle",
            "probes[1].depends_on[1]: \"nope\" is not a probe",
            "probes[2].depends_on[0]: a probe cannot depend on itself",
            "probes[2].slo.objective: must be between 0 and 1 (0.999 is 99.9%)",
            "probes[2].flapping: needs 0 ≤ low < high ≤ 100 (percent)",
            "hooks.x.kind: \"sms\" is not a hook kind (exec, webhook, alertmanager)",
            "hooks.w.url: must be an http:// or https:// URL",
            "alerts[0].probes[0]: \"zzz*\" matches no probe",
            "alerts[0].min_level: \"bad\" must be degraded or down",
            "alerts[0].hooks[0]: \"y\" is not a hook (none is defined under hooks)",
            "alerts[1]: names nothing to alert on: give probes, components or system: true",
            "silences[0].start: \"tomorrow\" is not a time (use 2026-11-22T10:00:00Z)",
            "silences[1].weekly.days[0]: \"funday\" is not a day (mon, tue, wed, thu, fri, sat, sun)",
            "silences[1].weekly.at: \"25:00\" is not a time of day in UTC (HH:MM)",
        ]
        for e in expected { #expect(found.contains(e), "missing: \(e)\nfound: \(found)") }
    }

    @Test func unreadableTokenFileIsAnError() {
        let found = issues("""
            { probes: [], hooks: { w: { kind: "webhook", url: "http://h/", header_files: { Authorization: "/nonexistent/tok" } } } }
            """)
        #expect(found == ["hooks.w.header_files.Authorization: cannot read /nonexistent/tok (does it exist, and may healthd read it?)"])
    }
}
