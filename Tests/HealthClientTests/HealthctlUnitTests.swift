import Foundation
import HealthCore
@testable import HealthClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// healthctl's pure pieces: sparklines, argument parsing, request lines, and the views.
@Suite struct HealthctlSparklineTests {
    @Test func scalesLowestToHighest() {
        #expect(TextSparkline.render([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█")
        #expect(TextSparkline.render([10, 0, 5]) == "█▁▅")
    }

    @Test func gapsAreSpaces() {
        #expect(TextSparkline.render([1, nil, 8]) == "▁ █")
        #expect(TextSparkline.render([1, .nan, .infinity, 8]) == "▁  █")
        #expect(TextSparkline.render([nil, nil]) == "  ")
        #expect(TextSparkline.render([]) == "")
    }

    @Test func flatSeriesSitsInTheMiddleAndZerosAtTheBottom() {
        #expect(TextSparkline.render([3, 3, 3]) == "▄▄▄")
        #expect(TextSparkline.render([0, nil, 0]) == "▁ ▁")
        #expect(TextSparkline.render([5]) == "▄")
    }

    @Test func floorWidensTheScale() {
        // Latency from 0: a 10% wobble stays near the top instead of spanning the whole height.
        #expect(TextSparkline.render([9, 10], floor: 0) == "▇█")
        #expect(TextSparkline.render([0, 10], floor: 0) == "▁█")
        #expect(TextSparkline.render([5, 5], floor: 0) == "██")
        #expect(TextSparkline.scale([nil, 4, 2], floor: 0).map { [$0.lo, $0.hi] } == [0, 4])
        #expect(TextSparkline.scale([nil]) == nil)
    }

    @Test func resamplesToWidthByMean() {
        #expect(TextSparkline.resample([1, 3, 5, 7], to: 2) == [2, 6])
        #expect(TextSparkline.resample([nil, nil, 4, nil], to: 2) == [nil, 4])
        #expect(TextSparkline.resample([1, 2], to: 5) == [1, 2])
        #expect(TextSparkline.render(Array(repeating: 1, count: 100) + Array(repeating: 9, count: 100), width: 20).count == 20)
    }
}

@Suite struct HealthctlArgumentTests {
    func parse(_ args: String...) throws(UsageError) -> Invocation { try HealthctlArguments.parse(args) }

    func usageError(_ args: String...) -> UsageError? {
        do {
            _ = try HealthctlArguments.parse(args)
            return nil
        } catch {
            return error
        }
    }

    @Test func socketAnywhereAndDefault() throws {
        #expect(try parse("status").socket == APIClient.defaultSocket)
        #expect(try parse("--socket", "/tmp/a.sock", "status") == Invocation(socket: "/tmp/a.sock", command: .status(json: false)))
        #expect(try parse("status", "--json", "--socket", "/tmp/b.sock") == Invocation(socket: "/tmp/b.sock", command: .status(json: true)))
        #expect(try parse("status", "--socket=/tmp/c.sock").socket == "/tmp/c.sock")
        #expect(usageError("status", "--socket")?.message.contains("--socket needs a value") == true)
    }

    @Test func helpEverywhere() throws {
        #expect(try parse().command == .help(verb: nil))
        #expect(try parse("--help").command == .help(verb: nil))
        #expect(try parse("-h").command == .help(verb: nil))
        #expect(try parse("help").command == .help(verb: nil))
        #expect(try parse("help", "silence").command == .help(verb: "silence"))
        #expect(try parse("history", "--help").command == .help(verb: "history"))
        // Help wins over what else is wrong on the line.
        #expect(try parse("history", "--bogus", "-h").command == .help(verb: "history"))
        #expect(usageError("help", "nope")?.message.contains("not a verb") == true)
    }

    @Test func unknownVerbsAndOptionsSayWhatToType() {
        let typo = usageError("stauts")
        #expect(typo?.message == "unknown verb \"stauts\" (did you mean \"status\"?)")
        #expect(typo?.description.hasSuffix("see: healthctl --help") == true)
        #expect(usageError("frobnicate")?.message == "unknown verb \"frobnicate\"")
        let option = usageError("status", "--range", "1h")
        #expect(option?.message == "status does not know --range (it takes --json)")
        #expect(option?.verb == "status")
        #expect(usageError("reload", "--json")?.message.contains("takes no options") == true)
        #expect(usageError("status", "--json=yes")?.message == "--json takes no value")
        #expect(usageError("--json")?.message.contains("needs a verb") == true)
    }

    @Test func argumentCounts() {
        #expect(usageError("history")?.message.hasPrefix("history needs a PROBE") == true)
        #expect(usageError("run", "a", "b")?.message.contains("takes one PROBE") == true)
        #expect(usageError("status", "extra")?.message.contains("takes no arguments") == true)
        #expect(usageError("silence", "--for", "2h")?.message.contains("at least one PATTERN") == true)
        #expect(usageError("check-config")?.message.contains("needs a FILE") == true)
    }

    @Test func history() throws {
        #expect(try parse("history", "api").command == .history(HistoryArgs(probe: "api")))
        let full = try parse("history", "--range=6h", "api", "--step", "5m", "--series", "error_rate", "--json").command
        #expect(full == .history(HistoryArgs(probe: "api", range: .hours(6), step: .minutes(5), series: .errorRate, json: true)))
        #expect(usageError("history", "api", "--range", "8d")?.message.contains("up to 7d") == true)
        #expect(usageError("history", "api", "--range", "soon")?.message.contains("not a duration") == true)
        #expect(usageError("history", "api", "--step", "0s")?.message.contains("not a duration") == true)
        #expect(usageError("history", "api", "--series", "p95")?.message.contains("latency.p95") == true)
    }

    @Test func silence() throws {
        let s = try parse("silence", "redis*", "api", "--for", "2h", "--reason", "upgrade").command
        #expect(s == .silence(SilenceArgs(patterns: ["redis*", "api"], duration: .hours(2), reason: "upgrade")))
        let until = try parse("silence", "db", "--until", "2026-11-22T12:00:00Z", "--start", "2026-11-22T10:00:00Z").command
        #expect(until == .silence(SilenceArgs(patterns: ["db"], until: Timestamp(iso8601: "2026-11-22T12:00:00Z"), start: Timestamp(iso8601: "2026-11-22T10:00:00Z"))))
        #expect(usageError("silence", "db")?.message.contains("--for DURATION or --until TIME") == true)
        #expect(usageError("silence", "db", "--for", "2h", "--until", "2026-11-22T12:00:00Z")?.message == "give --for or --until, not both")
        #expect(usageError("silence", "db", "--for", "two hours")?.message.contains("not a duration") == true)
        #expect(usageError("silence", "db", "--until", "tomorrow")?.message.contains("not a time") == true)
        #expect(usageError("silence", "db", "--until", "2026-11-22T10:00:00Z", "--start", "2026-11-22T11:00:00Z")?.message
            == "--until must be after --start")
        // A value that looks like an option means the value was forgotten.
        #expect(usageError("silence", "db", "--reason", "--for", "2h")?.message.contains("--reason needs a value") == true)
        // After `--`, a pattern may start with a dash.
        #expect(try parse("silence", "--for", "1h", "--", "-odd").command == .silence(SilenceArgs(patterns: ["-odd"], duration: .hours(1))))
    }

    @Test func auditLimit() throws {
        #expect(try parse("audit").command == .audit(limit: 20, json: false))
        #expect(try parse("audit", "--limit", "5", "--json").command == .audit(limit: 5, json: true))
        #expect(usageError("audit", "--limit", "0")?.message.contains("not a number from 1") == true)
        #expect(usageError("audit", "--limit", "1001")?.message.contains("1 to 1000") == true)
        #expect(usageError("audit", "--limit", "lots")?.message.contains("not a number from 1") == true)
    }

    @Test func requestLines() throws {
        func line(_ args: String...) throws -> String? { try HealthctlArguments.parse(args).command.request(user: "alice") }
        #expect(try line("status") == #"{"op":"snapshot"}"#)
        #expect(try line("watch") == #"{"op":"subscribe"}"#)
        #expect(try line("history", "api") == #"{"op":"history","probe":"api","range":"24h","series":"latency.p95"}"#)
        #expect(try line("history", "api", "--step", "5m", "--range", "6h")
            == #"{"op":"history","probe":"api","range":"6h","series":"latency.p95","step":"5m"}"#)
        #expect(try line("run", "api") == #"{"op":"run","probe":"api"}"#)
        #expect(try line("silence", "redis*", "--for", "2h")
            == #"{"duration":"2h","match":["redis*"],"op":"silence","reason":"set with healthctl by alice"}"#)
        #expect(try line("silence", "db", "--until", "2026-11-22T12:00:00Z", "--reason", "x")
            == #"{"end":"2026-11-22T12:00:00Z","match":["db"],"op":"silence","reason":"x"}"#)
        #expect(try line("unsilence", "s-1") == #"{"id":"s-1","op":"unsilence"}"#)
        #expect(try line("alerts") == #"{"op":"alerts"}"#)
        #expect(try line("silences", "--json") == #"{"op":"silences"}"#)
        #expect(try line("audit", "--limit", "3") == #"{"limit":3,"op":"audit"}"#)
        #expect(try line("reload") == #"{"op":"reload"}"#)
        #expect(try line("check-config", "x.json5") == nil)
    }

    @Test func helpCoversEveryVerb() {
        let overview = HelpText.overview()
        for verb in Verbs.all {
            #expect(overview.contains("  \(verb.name) "), "\(verb.name) missing from the overview")
            #expect(overview.contains(verb.example))
            #expect(HelpText.verb(verb).contains("usage: healthctl \(verb.usage)"))
        }
        #expect(overview.contains(APIClient.defaultSocket))
        #expect(overview.contains("exit codes"))
    }
}

@Suite struct HealthctlViewTests {
    let plain = TerminalStyle(colour: false)
    let now = Timestamp(iso8601: "2026-11-22T10:00:00Z")!

    func doc(_ json: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
    }

    @Test func watchKeepsOneLatencyPerRunAndGapsForFailures() {
        var view = WatchView()
        func snap(_ run: Int, ok: Bool = true, ms: Double = 2) -> [String: Any] {
            ["probes": ["api": ["last_run": "2026-11-22T10:00:\(run < 10 ? "0" : "")\(run)Z", "ok": ok, "latency_ms": ms]]]
        }
        view.ingest(snap(1, ms: 1))
        view.ingest(snap(1, ms: 1))  // the same run re-sent
        view.ingest(snap(2, ok: false))
        view.ingest(snap(3, ms: 8))
        #expect(view.latency["api"] == [1, nil, 8])
        for run in 4..<60 { view.ingest(snap(run)) }
        #expect(view.latency["api"]?.count == WatchView.historyLength)
        view.ingest(["probes": [String: Any]()])
        #expect(view.latency["api"] == nil)

        var fresh = WatchView()
        fresh.ingest(snap(1, ms: 1))
        fresh.ingest(snap(2, ok: false))
        fresh.ingest(snap(3, ms: 8))
        let json = Array(#"{"health":"healthy","probes":{"api":{"health":"healthy","latency_ms":8}},"components":{}}"#.utf8)
        let screen = fresh.render(json: json, style: plain)
        #expect(screen.contains("✅ system healthy"))
        #expect(screen.contains("api                      ▂ █"))  // 1 of 8, on a scale from 0
        #expect(screen.contains("max 8ms"))
    }

    @Test(arguments: [
        (#"{"health":"healthy","pending":0}"#, Int32(0)), (#"{"health":"degraded","pending":1}"#, 1),
        (#"{"health":"down","pending":0}"#, 2), (#"{"health":null,"pending":2}"#, 3), ("not json", 3),
    ])
    func statusExitCodeIsTheHealthAndUnknownWhilePending(json: String, code: Int32) {
        #expect(StatusTable.exitCode(json: Array(json.utf8)) == code)
    }

    @Test func statusShowsPendingProbesAndAPendingSystem() {
        let json = Array(("{\"generated_at\":\"2026-11-22T10:00:00Z\",\"health\":null,\"pending\":2,\"probes\":{"
            + #""db":{"health":null,"pending":true,"reasons":["no success yet: 1 of 3 failures before down (refused: no)"]},"#
            + #""api":{"health":null,"pending":true,"reasons":[]}},"components":{"data":{"health":null}}}"#).utf8)
        let lines = StatusTable.render(json: json).split(separator: "\n").map(String.init)
        #expect(lines.first == "…  system pending · 2 probes pending   (2026-11-22T10:00:00Z)")
        #expect(lines.contains("  …  data                     pending"))
        #expect(lines.contains { $0.hasPrefix("  …  db                       pending   -          -          no success yet: 1 of 3") })
        let healthy = StatusTable.render(json: Array(#"{"health":"healthy","pending":0,"probes":{},"components":{}}"#.utf8))
        #expect(healthy.hasPrefix("✅ system healthy   ("), "no pending count when nothing is pending")
    }

    @Test func alertsShowWhyTheyAreQuiet() {
        let text = AlertsView.render(doc("""
            {"alerts":[{"kind":"probe","name":"db","level":"down","severity":"critical","starts_at":"2026-11-22T09:55:00Z",
              "reasons":["connect refused"],"silenced_by":"s-1","suppressed_by":null,"flapping":true,"hooks":["am"]},
             {"kind":"component","name":"queue","level":"degraded","severity":"warning","starts_at":"2026-11-22T09:59:00Z",
              "reasons":[],"silenced_by":null,"suppressed_by":"db","flapping":false,"hooks":[]}]}
            """), style: plain, now: now)
        #expect(text.hasPrefix("2 alerts firing"))
        #expect(text.contains("❌ db  down (critical)  since 2026-11-22T09:55:00Z, 5m ago"))
        #expect(text.contains("connect refused"))
        #expect(text.contains("silenced by s-1 (healthctl unsilence s-1) · flapping · hooks: am"))
        #expect(text.contains("component queue  degraded (warning)"))
        #expect(text.contains("suppressed: db is down"))
        #expect(AlertsView.render(doc(#"{"alerts":[]}"#), style: plain, now: now) == "no alerts firing")
        #expect(AlertsView.render(doc(#"{"alerts":[]}"#), style: TerminalStyle(colour: true), now: now).contains("\u{1B}[32m"))
    }

    @Test func silencesOnceAndWeekly() {
        let text = SilencesView.render(doc("""
            {"silences":[{"id":"s-1","match":["redis*"],"start":"2026-11-22T09:00:00Z","end":"2026-11-22T12:00:00Z",
              "reason":"upgrade","created_by":"alice","active":true},
             {"id":"config-1","match":["db*"],"weekly":{"days":["sat"],"at":"02:00","duration":"2h"},
              "reason":"backups","created_by":"config","active":false}]}
            """), style: plain, now: now)
        #expect(text.contains("s-1       active    redis*  until 2026-11-22T12:00:00Z (in 2h)  by alice"))
        #expect(text.contains("config-1  waiting   db*  weekly sat at 02:00 UTC for 2h  by config"))
        #expect(text.contains("upgrade") && text.contains("backups"))
        #expect(SilencesView.render(doc(#"{"silences":[]}"#), style: plain, now: now) == "no silences")
    }

    @Test func auditLines() {
        let text = AuditView.render(doc("""
            {"entries":[{"time":"2026-11-22T10:00:00.000Z","type":"operator","user":"alice","uid":1000,"pid":42,
               "op":"silence","details":{"match":["redis*"],"duration":"2h"},"outcome":"ok"},
             {"time":"2026-11-22T10:00:01.000Z","type":"notification","hook":"am","alerts":["probe db firing down"],
               "attempt":2,"outcome":"failed","latency_ms":12.5,"error":"HTTP 500"}]}
            """), style: plain)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0] == "2026-11-22T10:00:00.000Z  operator      alice (uid 1000, pid 42)  silence  duration=2h match=redis*  → ok")
        #expect(lines[1] == "2026-11-22T10:00:01.000Z  notification  hook am  attempt 2  probe db firing down  → failed 12.5ms: HTTP 500")
        #expect(AuditView.render(doc(#"{"entries":[]}"#), style: plain) == "no audit entries yet")
        // Errors recorded as the answer line read as its message.
        #expect(AuditView.message(#"{"error":"no probe named \"x\""}"# + "\n") == "no probe named \"x\"")
    }

    func probeWithTLS(expiresIn seconds: Int, notAfter: String) -> [String: Any] {
        doc("""
            {"api":{"kind":"http","health":"healthy","critical":true,"latency_ms":4.2,
              "timings_ms":{"connect":0.4,"tls":3.1,"first_byte":4,"total":4.2},
              "tls":{"version":"TLSv1.3","cipher":"TLS_AES_128_GCM_SHA256","subject":"CN=api.example.com",
                     "issuer":"CN=R3, O=Let's Encrypt","dns_names":["api.example.com","www.example.com"],
                     "not_after":"\(notAfter)","expires_in_s":\(seconds)}}}
            """)
    }

    @Test func probeShowsTLSFactsAndTimings() {
        let lines = ProbeView.render(probeWithTLS(expiresIn: 1_728_000, notAfter: "2026-12-12T10:00:00Z"), style: plain, now: now)
            .split(separator: "\n").map(String.init)
        #expect(lines.contains("  latency      4.2ms"))
        #expect(lines.contains("  timings      connect 0.4ms · tls 3.1ms · first byte 4ms · total 4.2ms"))
        #expect(lines.contains("  tls          TLSv1.3, TLS_AES_128_GCM_SHA256"))
        #expect(lines.contains("  subject      CN=api.example.com"))
        #expect(lines.contains("  issuer       CN=R3, O=Let's Encrypt"))
        #expect(lines.contains("  names        api.example.com, www.example.com"))
        #expect(lines.contains("  cert expires 2026-12-12T10:00:00Z (in 20d)"))
        let plainProbe = ProbeView.render(doc(#"{"api":{"kind":"tcp","health":"healthy","latency_ms":1}}"#), style: plain, now: now)
        #expect(!plainProbe.contains("timings") && !plainProbe.contains("cert"))
    }

    @Test func probeSaysWhenItIsOverdue() {
        let late = ProbeView.render(doc(#"{"api":{"kind":"tcp","health":"healthy","last_run":"2026-11-22T09:59:35Z","overdue":true,"#
            + #""reasons":["no result for 25s (interval 10s)"]}}"#), style: plain, now: now)
        #expect(late.contains("  last run     2026-11-22T09:59:35Z (25s ago) overdue\n"))
        #expect(late.contains("  reason       no result for 25s (interval 10s)"))
        let onTime = ProbeView.render(doc(#"{"api":{"kind":"tcp","health":"healthy","last_run":"2026-11-22T09:59:55Z"}}"#),
                                      style: plain, now: now)
        #expect(onTime.contains("  last run     2026-11-22T09:59:55Z (5s ago)") && !onTime.contains("overdue"))
    }

    @Test func nearAndPastCertificateExpiryStandOut() {
        let colour = TerminalStyle(colour: true)
        let near = ProbeView.render(probeWithTLS(expiresIn: 5 * 86400, notAfter: "2026-11-27T10:00:00Z"), style: colour, now: now)
        #expect(near.contains("cert expires \u{1B}[33m2026-11-27T10:00:00Z (in 5d)\u{1B}[0m"))
        let far = ProbeView.render(probeWithTLS(expiresIn: 14 * 86400, notAfter: "2026-12-06T10:00:00Z"), style: colour, now: now)
        #expect(far.contains("cert expires 2026-12-06T10:00:00Z (in 14d)\n") || far.hasSuffix("cert expires 2026-12-06T10:00:00Z (in 14d)"))
        let past = ProbeView.render(probeWithTLS(expiresIn: -3600, notAfter: "2026-11-22T09:00:00Z"), style: colour, now: now)
        #expect(past.contains("cert expires \u{1B}[31m2026-11-22T09:00:00Z (expired 1h ago)\u{1B}[0m"))
    }

    @Test func historyTableInTheSeriesUnit() {
        let text = HistoryView.render(doc("""
            {"probe":"api","range":"1h","step":"1m","series":"error_rate","points":[
              {"t":"2026-11-22T09:00:00Z","count":0,"v":null},{"t":"2026-11-22T09:01:00Z","count":6,"v":0},
              {"t":"2026-11-22T09:02:00Z","count":6,"v":0.5}]}
            """), style: plain)
        #expect(text.contains("api · error_rate · last 1h, 1m steps (3 points)"))
        #expect(text.contains(" ▁█  min 0% · max 50%"))
        #expect(text.contains("2026-11-22 09:02:00           50%      6"))
        #expect(!text.contains("09:00:00"))
        #expect(text.contains("(1 step without runs not listed)"))
        #expect(HistoryView.render(doc(#"{"probe":"api","points":[]}"#), style: plain).contains("no data"))
    }

    @Test func errorsSayWhatToDo() {
        #expect(Session.explain("permission denied: uid 1000", code: "denied", verb: "run")
            .contains("run needs an admin: root, healthd's user, or a member of socket.admin_group"))
        #expect(Session.explain("unknown op \"alerts\"", code: nil, verb: "alerts").contains("older than healthctl"))
        #expect(Session.explain("no probe named \"x\"", code: nil, verb: "run") == "no probe named \"x\"")
        #expect(throws: CommandFailure.self) { try Session.document(Array(#"{"error":"nope"}"#.utf8), verb: "run", errorCode: 1) }
        #expect(APIClient.connectMessage(path: "/x.sock", errno: ENOENT).hasSuffix("— is healthd running? systemctl status healthd"))
        #expect(APIClient.connectMessage(path: "/x.sock", errno: ECONNREFUSED).contains("is healthd running?"))
        // The group is read from the socket file itself, so the hint names the right one.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hc-\(UUID().uuidString.prefix(6))").path
        #expect(FileManager.default.createFile(atPath: file, contents: nil))
        defer { unlink(file) }
        var st = stat()
        stat(file, &st)
        let group = String(cString: getgrgid(st.st_gid)!.pointee.gr_name)
        #expect(APIClient.connectMessage(path: file, errno: EACCES).contains("ask an admin to add you to its group \"\(group)\""))
    }

    @Test func spans() {
        #expect(Text.span(seconds: 42) == "42s")
        #expect(Text.span(seconds: 300) == "5m")
        #expect(Text.span(seconds: 3 * 3600 + 12 * 60) == "3h12m")
        #expect(Text.span(seconds: 2 * 86400 + 3 * 3600) == "2d3h")
        #expect(Text.relative("2026-11-22T12:00:00Z", now: now) == "in 2h")
        #expect(Text.relative("not a time", now: now) == nil)
    }
}
