import Foundation
import HealthClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The healthctl binary against a real healthd: output, exit codes, colour, JSON, errors.
@Suite(.serialized) struct HealthctlTests {
    /// Beside healthd (the same build), unless HEALTHCTL_BIN says otherwise.
    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["HEALTHCTL_BIN"] { return b }
        return URL(fileURLWithPath: DaemonHarness.binary).deletingLastPathComponent().appendingPathComponent("healthctl").path
    }

    static let blocks = Set(TextSparkline.blocks)
    /// One healthy probe, for tests about healthctl rather than about health.
    static let okProbe = #"[{ name: "ok", kind: "exec", argv: ["/bin/true"], interval: "200ms", timeout: "150ms" }]"#

    struct Result {
        var code: Int32
        var out: String
        var err: String
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(out.utf8))) as? [String: Any] }
    }

    /// Runs healthctl with stdout and stderr apart; stdout is a pipe, so no colour, and NO_COLOR too.
    func ctl(_ args: [String], socket: String?, env: [String: String] = ["NO_COLOR": "1"]) -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = (socket.map { ["--socket", $0] } ?? []) + args
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = nil
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let (out, err) = (Pipe(), Pipe())
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return Result(code: -1, out: "", err: "\(error)") }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(code: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    /// Runs healthctl on a pseudo-terminal (util-linux `script`), as a person at a terminal would.
    func ctlOnTTY(_ args: [String], env: [String: String] = [:]) -> (Int32, String) {
        let line = ([Self.binary] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let prefix = env.map { "\($0.key)=\($0.value) " }.joined()
        return shell("/usr/bin/env", ["-u", "NO_COLOR", "/usr/bin/script", "-qefc", prefix + line, "/dev/null"])
    }

    @Test func statusExitCodeFollowsHealth() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let svc = SwitchProbe("svc", in: work)
        let d = try DaemonHarness(probes: "[\(svc.config)]")
        d.waitForProbe("svc") { $0["health"] as? String == "healthy" }
        for (code, mark, word) in [(0, "✅", "healthy"), (1, "⚠️", "degraded"), (2, "❌", "down"), (0, "✅", "healthy")] {
            svc.set(code)
            // The socket answers a moment after status.json is written.
            let r = waitFor("healthctl status to exit \(code)") { ctl(["status"], socket: d.socketPath) } until: { $0.code == Int32(code) }
            #expect(r.code == Int32(code), "\(word): \(r.out)\(r.err)")
            #expect(r.out.hasPrefix(mark) && r.out.contains(" system \(word)"), "\(r.out)")
            #expect(r.out.contains("svc"))
            #expect(!r.out.contains("\u{1B}["), "no colour on a pipe")
            let json = ctl(["status", "--json"], socket: d.socketPath)
            #expect(json.json?["health"] as? String == word)
            #expect(json.code == Int32(code))
        }
    }

    @Test func colourOnlyOnATerminalWithoutNoColor() throws {
        let d = try DaemonHarness(probes: Self.okProbe)
        d.waitForProbe("ok") { $0["health"] as? String == "healthy" }
        let (code, tty) = ctlOnTTY(["--socket", d.socketPath, "status"])
        #expect(code == 0, "\(tty)")
        #expect(tty.contains("\u{1B}[32mhealthy\u{1B}[0m"), "\(tty)")
        let (_, noColor) = ctlOnTTY(["--socket", d.socketPath, "status"], env: ["NO_COLOR": "1"])
        #expect(noColor.contains("system healthy") && !noColor.contains("\u{1B}["), "\(noColor)")
        let piped = ctl(["status"], socket: d.socketPath, env: [:])
        #expect(piped.out.contains("system healthy") && !piped.out.contains("\u{1B}["))
    }

    @Test func unreachableSocketExits3WithAHint() throws {
        let dir = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for verb in [["status"], ["snapshot"], ["alerts"], ["run", "x"]] {
            let r = ctl(verb, socket: "\(dir)/none.sock")
            #expect(r.code == 3, "\(verb)")
            #expect(r.err.contains("healthctl: cannot connect to \(dir)/none.sock"), "\(r.err)")
            #expect(r.err.contains("is healthd running? systemctl status healthd"), "\(r.err)")
            #expect(r.out.isEmpty)
        }
    }

    @Test(.enabled(if: getuid() == 0, "needs root to run healthctl as another user"))
    func socketPermissionDeniedNamesTheGroup() throws {
        let d = try DaemonHarness(probes: Self.okProbe)
        d.waitForSocket()
        let (code, out) = shell("/usr/sbin/runuser", ["-u", "nobody", "--", Self.binary, "--socket", d.socketPath, "status"])
        #expect(code == 3, "\(out)")
        #expect(out.contains("Permission denied") && out.contains("ask an admin to add you to its group"), "\(out)")
    }

    @Test func snapshotProbeAndHistory() throws {
        let d = try DaemonHarness(probes: Self.okProbe)
        d.waitForProbe("ok") { windowCount($0) >= 5 }  // a few runs, for the history
        let snapshot = ctl(["snapshot"], socket: d.socketPath)
        #expect(snapshot.code == 0 && snapshot.json?["version"] as? Int == 1)
        let probe = ctl(["probe", "ok"], socket: d.socketPath)
        #expect(probe.code == 0 && probe.out.contains("ok  healthy") && probe.out.contains("window"), "\(probe.out)")
        #expect(ctl(["probe", "ok", "--json"], socket: d.socketPath).json?["ok"] is [String: Any])

        let history = ctl(["history", "ok", "--range", "1h", "--step", "1m"], socket: d.socketPath)
        #expect(history.code == 0, "\(history.err)")
        #expect(history.out.contains("ok · latency.p95 · last 1h, 1m steps"), "\(history.out)")
        #expect(history.out.contains { Self.blocks.contains($0) }, "no sparkline in \(history.out)")
        #expect(history.out.contains("time (UTC)"))
        let json = ctl(["history", "ok", "--range", "1h", "--series", "availability", "--json"], socket: d.socketPath)
        #expect(json.json?["series"] as? String == "availability")
        #expect((json.json?["points"] as? [[String: Any]])?.contains { $0["v"] as? Double == 1 } == true)

        let unknown = ctl(["history", "nope"], socket: d.socketPath)
        #expect(unknown.code == 1 && unknown.err.contains("no probe named \"nope\""), "\(unknown.err)")
        let badRange = ctl(["history", "ok", "--range", "7d", "--step", "1m"], socket: d.socketPath)
        #expect(badRange.code == 1 && badRange.err.contains("more than 1000 points"), "\(badRange.err)")
    }

    @Test func watchDrawsTheTableAndSparklines() throws {
        let d = try DaemonHarness(probes: Self.okProbe)
        d.waitForProbe("ok") { $0["health"] as? String == "healthy" }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["--socket", d.socketPath, "watch"]
        // A file, not a pipe, so the frames can be counted while it runs.
        let outPath = "\(d.dir)/watch.out"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        let out = FileHandle(forWritingAtPath: outPath)
        defer { try? out?.close() }
        p.standardOutput = out
        func output() -> String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
        try p.run()
        waitUntil("three frames (the output interval is 1 s)") { output().components(separatedBy: "system healthy").count > 3 }
        p.terminate()
        // healthctl unblocks SIGTERM (this runner blocks it, and children inherit the mask); never hang here.
        if !waitUntil("watch to stop on SIGTERM", seconds: 3, { !p.isRunning }) { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let text = output()
        #expect(text.components(separatedBy: "system healthy").count >= 3, "frames: \(text)")
        #expect(text.contains("latency of the runs seen at each update"))
        let lastFrame = text.components(separatedBy: "system healthy").last ?? ""
        #expect(lastFrame.contains { Self.blocks.contains($0) }, "\(lastFrame)")
        #expect(!text.contains("\u{1B}[2J"), "no clearing when not on a terminal")
    }

    @Test func checkConfigGoodAndBad() throws {
        let dir = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = "\(dir)/good.json5", bad = "\(dir)/bad.json5"
        try DaemonHarness.config(dir: dir, probes: #"[{ name: "a", kind: "tcp", url: "tcp://127.0.0.1:1" }]"#)
            .write(toFile: good, atomically: true, encoding: .utf8)
        try DaemonHarness.config(dir: dir, probes: #"[{ name: "a", kind: "tcp", url: "tcp://127.0.0.1:1" }, { name: "b", kind: "tcp", url: "tcp://127.0.0.1:2", interval: "10x" }]"#)
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let ok = ctl(["check-config", good], socket: nil)
        #expect(ok.code == 0 && ok.out == "\(good): ok\n" && ok.err.isEmpty, "\(ok)")
        let no = ctl(["check-config", bad], socket: nil)
        #expect(no.code == 1)
        #expect(no.err.contains("probes[1].interval: \"10x\" is not a duration"), "\(no.err)")
        let missing = ctl(["check-config", "\(dir)/missing.json5"], socket: nil)
        #expect(missing.code == 1 && missing.err.contains("cannot read"))
    }

    @Test func helpAndUsageErrors() {
        let help = ctl(["--help"], socket: nil)
        #expect(help.code == 0)
        for verb in ["status", "snapshot", "watch", "probe", "history", "run", "silence", "unsilence", "alerts", "silences",
                     "audit", "reload", "check-config", "help"] {
            #expect(help.out.contains("  \(verb) "), "--help does not mention \(verb)")
        }
        #expect(help.out.contains("/run/healthd/healthd.sock") && help.out.contains("exit codes"))
        #expect(ctl(["help"], socket: nil).out == help.out && ctl([], socket: nil).out == help.out)
        let verbHelp = ctl(["silence", "--help"], socket: nil)
        #expect(verbHelp.code == 0 && verbHelp.out.contains("--for") && verbHelp.out.contains("--until") && verbHelp.out.contains("admin"))
        let typo = ctl(["stauts"], socket: nil)
        #expect(typo.code == 2 && typo.err.contains("did you mean \"status\"") && typo.out.isEmpty)
        let missing = ctl(["silence", "db"], socket: nil)
        #expect(missing.code == 2 && missing.err.contains("--for"))
    }

    // MARK: - Ops the server gained with this healthctl: alerts, silences, audit, run, reload

    @Test func silenceListUnsilenceRunReloadAndAudit() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let svc = SwitchProbe("redis1", in: work)
        let d = try DaemonHarness(probes: "[\(svc.config)]", extra: """
            silences: [ { match: ["backup*"], weekly: { days: ["sat"], at: "02:00", duration: "2h" }, reason: "weekly backups" } ],
            """)
        d.waitForProbe("redis1") { $0["health"] as? String == "healthy" }
        let sock = d.socketPath
        let set = ctl(["silence", "redis*", "--for", "2h", "--reason", "redis upgrade"], socket: sock)
        #expect(set.code == 0, "\(set.err)")
        #expect(set.out.contains("silenced redis*"), "\(set.out)")
        let listed = ctl(["silences", "--json"], socket: sock)
        let mine = (listed.json?["silences"] as? [[String: Any]])?.first { $0["reason"] as? String == "redis upgrade" }
        let id = try #require(mine?["id"] as? String, "\(listed.out)")
        #expect(mine?["active"] as? Bool == true && mine?["match"] as? [String] == ["redis*"])
        #expect(set.out.contains("healthctl unsilence \(id)"))
        let table = ctl(["silences"], socket: sock)
        #expect(table.code == 0)
        for text in [id, "active", "redis*", "redis upgrade", "config-1", "weekly sat at 02:00 UTC for 2h", "by config", "weekly backups"] {
            #expect(table.out.contains(text), "silences lacks \(text): \(table.out)")
        }
        let byUser = ctl(["silence", "other", "--for", "10m"], socket: sock, env: ["NO_COLOR": "1", "USER": "carol"])
        #expect(byUser.code == 0, "\(byUser.err)")
        let reasons = (ctl(["silences", "--json"], socket: sock).json?["silences"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
        #expect(reasons.contains("set with healthctl by carol"), "\(reasons)")

        let un = ctl(["unsilence", id], socket: sock)
        #expect(un.code == 0 && un.out.contains("ended silence \(id)"), "\(un.out)\(un.err)")
        let after = ctl(["silences", "--json"], socket: sock).json?["silences"] as? [[String: Any]] ?? []
        #expect(!after.contains { $0["id"] as? String == id && $0["active"] as? Bool == true })
        let again = ctl(["unsilence", "s-does-not-exist"], socket: sock)
        #expect(again.code == 1 && again.err.hasPrefix("healthctl: "), "\(again.err)")

        let run = ctl(["run", "redis1"], socket: sock)
        #expect(run.code == 0 && run.out.contains("redis1"), "\(run.err)")
        let reload = ctl(["reload"], socket: sock)
        #expect(reload.code == 0 && reload.out.contains("reloaded"), "\(reload.err)")

        // The server audits each admin op; they show up, oldest first.
        let audit = waitFor("the four admin ops in the audit log") { ctl(["audit", "--json"], socket: sock) } until: { r in
            let ops = (r.json?["entries"] as? [[String: Any]] ?? []).compactMap { $0["op"] as? String }
            return ["silence", "unsilence", "run", "reload"].allSatisfy(ops.contains)
        }
        let operatorEntries = (audit.json?["entries"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "operator" }
        let ops = operatorEntries.compactMap { $0["op"] as? String }
        #expect(["silence", "unsilence", "run", "reload"].allSatisfy(ops.contains), "\(audit.out)")
        if let s = ops.firstIndex(of: "silence"), let u = ops.lastIndex(of: "unsilence") { #expect(s < u, "oldest first") }
        let text = ctl(["audit"], socket: sock)
        #expect(text.code == 0 && text.out.contains("operator") && text.out.contains("unsilence") && text.out.contains("→ ok"), "\(text.out)")
        let one = ctl(["audit", "--limit", "1", "--json"], socket: sock)
        #expect((one.json?["entries"] as? [Any])?.count == 1, "\(one.out)")
    }

    @Test func runUnknownProbeFails() throws {
        let d = try DaemonHarness(probes: Self.okProbe)
        d.waitForSocket()
        let r = ctl(["run", "nope"], socket: d.socketPath)
        #expect(r.code == 1 && r.err.hasPrefix("healthctl: ") && r.err.contains("nope"), "\(r.err)")
        #expect(r.out.isEmpty)
    }

    @Test func alertsListWhatFiresAndWhatIsSilenced() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let svc = SwitchProbe("svc", in: work)
        let hook = try RecordingHook(in: work)
        let d = try DaemonHarness(probes: "[\(svc.config)]", extra: """
            hooks: { rec: { kind: "exec", argv: ["\(hook.script)"], timeout: "5s" } },
            alerts: [ { probes: ["svc"], hooks: ["rec"] } ],
            """)
        d.waitForProbe("svc") { $0["health"] as? String == "healthy" }
        let quiet = ctl(["alerts"], socket: d.socketPath)
        #expect(quiet.code == 0 && quiet.out.contains("no alerts firing"), "\(quiet.out)\(quiet.err)")
        svc.set(2)
        func svcAlert(_ r: Result) -> [String: Any]? {
            (r.json?["alerts"] as? [[String: Any]])?.first { $0["name"] as? String == "svc" }
        }
        let firing = waitFor("svc's alert") { ctl(["alerts", "--json"], socket: d.socketPath) } until: { svcAlert($0)?["level"] as? String == "down" }
        #expect(svcAlert(firing)?["severity"] as? String == "critical", "\(firing.out)")
        let table = ctl(["alerts"], socket: d.socketPath)
        #expect(table.out.contains("❌ svc  down (critical)") && table.out.contains("hooks: rec"), "\(table.out)")
        #expect(ctl(["silence", "svc", "--for", "1h"], socket: d.socketPath).code == 0)
        let silenced = waitFor("svc's alert silenced") { ctl(["alerts", "--json"], socket: d.socketPath) } until: { svcAlert($0)?["silenced_by"] is String }
        let id = try #require(svcAlert(silenced)?["silenced_by"] as? String, "\(silenced.out)")
        #expect(ctl(["alerts"], socket: d.socketPath).out.contains("silenced by \(id)"))
    }

    @Test(.enabled(if: getuid() == 0, "needs root to run healthctl as another user"))
    func adminOpsAreDeniedToOthers() throws {
        let d = try DaemonHarness(probes: Self.okProbe)
        d.waitForProbe("ok") { $0["health"] as? String == "healthy" }
        // Anyone may connect now, but nobody is not an admin.
        chmod(d.socketPath, 0o666)
        let asNobody = { (args: [String]) in shell("/usr/sbin/runuser", ["-u", "nobody", "--", Self.binary, "--socket", d.socketPath] + args) }
        #expect(asNobody(["status"]).0 == 0)
        let (code, out) = asNobody(["run", "ok"])
        #expect(code == 1, "\(out)")
        #expect(out.contains("permission denied") && out.contains("run needs an admin"), "\(out)")
    }
}
