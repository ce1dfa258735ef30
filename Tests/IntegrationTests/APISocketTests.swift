import Foundation
import HealthClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Every socket op against the real daemon, malformed and hostile clients, and authorization by
/// the peer's uid (a second client runs as `nobody`).
@Suite(.serialized) struct APISocketTests {
    func json(_ line: [UInt8]) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] ?? [:]
    }

    func daemon(_ work: String, extra: String = "") throws -> (DaemonHarness, SwitchProbe) {
        let svc = SwitchProbe("svc", in: work)
        let d = try DaemonHarness(probes: "[\(svc.config)]", extra: extra)
        d.waitForSocket()
        d.waitForProbe("svc") { $0["health"] as? String == "healthy" }
        return (d, svc)
    }

    @Test func everyOpAnswers() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let hook = try RecordingHook(in: work)
        let (d, svc) = try daemon(work, extra: """
            hooks: { rec: { kind: "exec", argv: ["\(hook.script)"] } },
            alerts: [ { probes: ["svc"], hooks: ["rec"] } ],
            """)
        let c = try APIClient(path: d.socketPath)
        #expect(json(try c.request(#"{"op":"snapshot"}"#))["health"] as? String == "healthy")
        #expect((json(try c.request(#"{"op":"probe","name":"svc"}"#))["svc"] as? [String: Any])?["kind"] as? String == "exec")
        let history = json(try c.request(#"{"op":"history","probe":"svc","range":"1h","series":"availability"}"#))
        #expect(history["step"] as? String == "1m" && (history["points"] as? [Any])?.isEmpty == false)

        svc.set(2)
        d.waitForProbe("svc") { $0["health"] as? String == "down" }
        _ = hook.waitFor(count: 1)
        let alerts = json(try c.request(#"{"op":"alerts"}"#))["alerts"] as? [[String: Any]]
        #expect(alerts?.count == 1 && alerts?.first?["name"] as? String == "svc" && alerts?.first?["severity"] as? String == "critical")

        let silenced = json(try c.request(#"{"op":"silence","match":["sv*"],"duration":"1h","reason":"maintenance"}"#))
        let silence = silenced["silence"] as? [String: Any]
        #expect(silenced["ok"] as? Bool == true && silence?["id"] as? String == "s-1" && silence?["created_by"] as? String == "root")
        let listed = json(try c.request(#"{"op":"silences"}"#))["silences"] as? [[String: Any]]
        #expect(listed?.map { $0["id"] as? String } == ["s-1"] && listed?.first?["active"] as? Bool == true)
        #expect((json(try c.request(#"{"op":"alerts"}"#))["alerts"] as? [[String: Any]])?.first?["silenced_by"] as? String == "s-1")
        #expect(json(try c.request(#"{"op":"unsilence","id":"s-1"}"#))["ok"] as? Bool == true)
        #expect((json(try c.request(#"{"op":"unsilence","id":"s-1"}"#))["error"] as? String)?.contains("no run-time silence") == true)

        #expect(json(try c.request(#"{"op":"run","probe":"svc"}"#))["ok"] as? Bool == true)
        #expect(json(try c.request(#"{"op":"run","probe":"nope"}"#))["error"] as? String == "no probe named \"nope\"")
        #expect(json(try c.request(#"{"op":"reload"}"#))["ok"] as? Bool == true)
        try "{ probes: [ { name: 1 } ] }".write(toFile: d.configPath, atomically: true, encoding: .utf8)
        let rejected = json(try c.request(#"{"op":"reload"}"#))["error"] as? String
        #expect(rejected?.hasPrefix("reload rejected, the running config stays") == true && rejected?.contains("probes[0].name") == true)
        #expect(json(try c.request(#"{"op":"snapshot"}"#))["health"] as? String == "down", "the old config still runs")

        let entries = json(try c.request(#"{"op":"audit","limit":50}"#))["entries"] as? [[String: Any]] ?? []
        let ops = entries.filter { $0["type"] as? String == "operator" }
        #expect(ops.map { "\($0["op"] as? String ?? ""):\($0["outcome"] as? String ?? "")" }
                == ["silence:ok", "unsilence:ok", "unsilence:failed", "run:ok", "run:unknown probe", "reload:ok", "reload:rejected"])
        #expect(ops.allSatisfy { $0["user"] as? String == "root" && $0["uid"] as? Int == 0 && ($0["pid"] as? Int ?? 0) == Int(getpid()) })
        #expect(entries.contains { $0["type"] as? String == "notification" })
        #expect((json(try c.request(#"{"op":"audit","limit":2}"#))["entries"] as? [Any])?.count == 2)
    }

    @Test func malformedRequestsGetErrorsAndTheConnectionStaysUsable() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (d, _) = try daemon(work)
        let c = try APIClient(path: d.socketPath)
        #expect((json(try c.request("{nope"))["error"] as? String)?.hasPrefix("request is not valid JSON") == true)
        #expect((json(try c.request(#"{"op":"dance"}"#))["error"] as? String)?.hasPrefix("unknown op \"dance\" (ops: snapshot") == true)
        #expect((json(try c.request(#"[1,2]"#))["error"] as? String)?.contains("JSON object") == true)
        #expect((json(try c.request(#"{"op":"silence","match":["x"]}"#))["error"] as? String)?.contains("reason") == true)
        #expect((json(try c.request(#"{"op":"history","probe":"svc","range":"30d"}"#))["error"] as? String)?.contains("at most 7d") == true)
        #expect(json(try c.request(#"{"op":"snapshot"}"#))["health"] as? String == "healthy")
    }

    @Test func aTenMegabyteLineIsRefusedAndHurtsNoOne() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (d, _) = try daemon(work)
        let other = try APIClient(path: d.socketPath)
        let big = try APIClient(path: d.socketPath)
        // The daemon closes the connection once 64 KiB arrive without a newline, so the send may fail part way.
        try? big.send(String(repeating: "x", count: 10 << 20))
        let reply = try? big.readLine()
        #expect(reply.map { json($0)["error"] as? String } == "request line longer than 65536 bytes; closing")
        #expect(try big.readLine() == nil, "closed")
        #expect(json(try other.request(#"{"op":"snapshot"}"#))["health"] as? String == "healthy")
    }

    @Test func fiveHundredIdleClientsAndADeserterHurtNoOne() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (d, _) = try daemon(work, extra: #"socket: { idle_timeout: "3s" },"#)
        let connected = Date()
        let idle = try (0..<500).map { _ in try APIClient(path: d.socketPath) }
        let half = rawConnect(d.socketPath)
        defer { close(half) }
        _ = write(half, #"{"op":"snap"#, 10)  // half a line, never finished
        // A client that asks for a large answer and leaves before reading it.
        for _ in 0..<20 {
            let deserter = try APIClient(path: d.socketPath)
            try deserter.send(#"{"op":"history","probe":"svc","range":"7d","step":"10m"}"#)
        }
        let c = try APIClient(path: d.socketPath)
        var worst = 0.0
        for _ in 0..<20 {
            let t = Date()
            #expect(json(try c.request(#"{"op":"snapshot"}"#))["health"] as? String == "healthy")
            worst = max(worst, Date().timeIntervalSince(t))
        }
        #expect(worst < 0.5, "a snapshot took \(worst) s with 500 idle clients")
        // After the idle timeout (not before) the idle ones are told and closed, and the daemon serves newcomers.
        for i in [0, 250, 499] {
            let told = try idle[i].readLine(timeout: 10)
            guard case .line(let line) = told else {
                Issue.record("idle client \(i): \(told) instead of the idle notice")
                continue
            }
            #expect(json(line)["error"] as? String == "idle for 3s; closing")
            #expect(try idle[i].readLine(timeout: 10) == .closed)
        }
        #expect(Date().timeIntervalSince(connected) >= 3, "told before 3 s of idleness")
        let later = try APIClient(path: d.socketPath)
        #expect(json(try later.request(#"{"op":"snapshot"}"#))["health"] as? String == "healthy")
    }

    @Test func requestRateIsLimitedPerClient() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (d, _) = try daemon(work, extra: "socket: { requests_per_second: 5 },")
        let c = try APIClient(path: d.socketPath)
        // Blank lines cost a token too: these five use half the burst of ten.
        try c.send(String(repeating: "\n", count: 5) + Array(repeating: #"{"op":"silences"}"#, count: 25).joined(separator: "\n"))
        let started = Date()
        var limited = 0, answered = 0
        for _ in 0..<25 {
            let line = json(try #require(try c.readLine()))
            if (line["error"] as? String)?.hasPrefix("too many requests") == true { limited += 1 } else { answered += 1 }
        }
        // Five pass at once; then a refusal stops the reading until the next token is due, so
        // the rest alternate: answered at the rate, refused no faster.
        #expect(limited >= 8 && limited <= 12, "\(limited) refused")
        #expect(Date().timeIntervalSince(started) >= 1.5, "answered no faster than 5 a second")
        let other = try APIClient(path: d.socketPath)
        #expect(json(try other.request(#"{"op":"snapshot"}"#))["health"] as? String == "healthy", "another client has its own budget")
    }

    /// One request as `nobody` (uid 65534), through python so no healthd code runs as that user.
    func asNobody(_ socket: String, _ request: String) -> [String: Any] {
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode() + b"\\n")
            print(s.makefile().readline(), end="")
            """
        let (_, out) = shell("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/python3", "-c", script, socket, request])
        return (try? JSONSerialization.jsonObject(with: Data(out.utf8))) as? [String: Any] ?? ["raw": out]
    }

    @Test func nobodyMayReadButNotAct() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (d, _) = try daemon(work, extra: #"socket: { group: "nogroup" },"#)
        var st = stat()
        stat(d.socketPath, &st)
        #expect(st.st_mode & 0o777 == 0o660 && st.st_gid == 65534, "mode 0660, group nogroup")
        #expect(asNobody(d.socketPath, #"{"op":"snapshot"}"#)["health"] as? String == "healthy")
        let denied = asNobody(d.socketPath, #"{"op":"run","probe":"svc"}"#)
        #expect(denied["code"] as? String == "denied")
        #expect((denied["error"] as? String)?.hasPrefix("permission denied: \"run\" is an admin op") == true)
        waitUntil("the denial in the audit log") { d.audit().contains { $0["outcome"] as? String == "denied" } }
        let entry = d.audit().first { $0["outcome"] as? String == "denied" }
        #expect(entry?["uid"] as? Int == 65534 && entry?["user"] as? String == "nobody" && entry?["op"] as? String == "run")
        #expect((entry?["pid"] as? Int ?? 0) > 0)
    }

    @Test func membersOfTheAdminGroupMayAct() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let (d, _) = try daemon(work, extra: #"socket: { group: "nogroup", admin_group: "nogroup" },"#)
        #expect(asNobody(d.socketPath, #"{"op":"run","probe":"svc"}"#)["ok"] as? Bool == true)
        waitUntil("the run in the audit log") { d.audit().contains { $0["op"] as? String == "run" } }
        #expect(d.audit().first { $0["op"] as? String == "run" }?["user"] as? String == "nobody")
    }
}

/// A connected Unix socket, for writing what APIClient would not (half a line).
func rawConnect(_ path: String) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &addr.sun_path) { buf in
        for (i, b) in path.utf8.prefix(buf.count - 1).enumerated() { buf[i] = b }
    }
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
    return fd
}
