import Foundation
import HealthClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct LifecycleTests {
    func execProbe(_ name: String, code: Int = 0, interval: String = "300ms") -> String {
        #"{ name: "\#(name)", kind: "exec", argv: ["/usr/lib/nagios/plugins/check_dummy", "\#(code)", "\#(name)"], interval: "\#(interval)", timeout: "200ms" }"#
    }

    @Test func statusPageIsPublishedBesideTheSnapshot() throws {
        let d = try DaemonHarness(probes: "[\(execProbe("api")), \(execProbe("queue", code: 1))]")
        _ = d.waitForStatus { ($0["pending"] as? Int) == 0 }
        waitUntil("status.html showing the degraded probe") {
            ((try? String(contentsOfFile: "\(d.dir)/status.html", encoding: .utf8)) ?? "").contains("queue")
        }
        let page = (try? String(contentsOfFile: "\(d.dir)/status.html", encoding: .utf8)) ?? ""
        #expect(page.hasPrefix("<!DOCTYPE html>") || page.hasPrefix("<!doctype html>"))
        #expect(page.contains("http-equiv=\"refresh\" content=\"30\""))
        #expect(page.contains("api") && page.contains("degraded"))
        #expect(!page.contains("<script"))
    }

    @Test func snapshotFileAndSocketAgree() throws {
        let d = try DaemonHarness(probes: "[\(execProbe("a")), \(execProbe("b", code: 1))]", outputInterval: "60s")
        _ = d.waitForStatus { ($0["health"] as? String) == "degraded" && ($0["pending"] as? Int) == 0 }
        d.waitForSocket()
        let client = try APIClient(path: d.socketPath)
        // With no state change and a long output interval, the file and the socket hold the same document.
        let fromSocket = try client.request(#"{"op":"snapshot"}"#)
        let fromFile = try #require(FileManager.default.contents(atPath: d.statusPath))
        #expect(Array(fromFile) == fromSocket + [10])
    }

    @Test func theSocketAnswersWhenTheSnapshotCannotBeWritten() throws {
        let dir = try DaemonHarness.makeDir()
        // A directory where status.json goes: every write of it fails.
        try FileManager.default.createDirectory(atPath: "\(dir)/status.json", withIntermediateDirectories: false)
        let configPath = "\(dir)/healthd.json5"
        try DaemonHarness.config(dir: dir, probes: "[\(execProbe("a", code: 2))]").write(toFile: configPath, atomically: true, encoding: .utf8)
        let d = try DaemonHarness(configPath: configPath, dir: dir)
        d.waitForSocket()
        let client = try APIClient(path: d.socketPath)
        // The restored snapshot has the probe pending; the socket then answers with the newer, unwritten ones.
        waitUntil("the socket to answer with the probe down") {
            let doc = try? JSONSerialization.jsonObject(with: Data(try client.request(#"{"op":"snapshot"}"#))) as? [String: Any]
            return doc?["health"] as? String == "down"
        }
        #expect(d.logSoFarContains("cannot write snapshot"))
    }

    @Test func aSnapshotFileChangedUnderTheDaemonIsNotAnswered() throws {
        let d = try DaemonHarness(probes: "[\(execProbe("a"))]", outputInterval: "60s")
        _ = d.waitForStatus { ($0["pending"] as? Int) == 0 }
        d.waitForSocket()
        try Data("{\"health\":\"forged\"}\n".utf8).write(to: URL(fileURLWithPath: d.statusPath))
        let reply = try JSONSerialization.jsonObject(with: Data(try APIClient(path: d.socketPath).request(#"{"op":"snapshot"}"#))) as? [String: Any]
        #expect(reply?["health"] == nil)
        #expect((reply?["error"] as? String)?.contains("not the") == true, "\(reply ?? [:])")
    }

    @Test func malformedRequestsKeepTheConnection() throws {
        let d = try DaemonHarness(probes: "[\(execProbe("a"))]")
        d.waitForSocket()
        let client = try APIClient(path: d.socketPath)
        let cases: [(String, String)] = [
            ("this is not json", "not valid JSON"),
            (#"[1,2]"#, "must be a JSON object"),
            (#"{"op": 5}"#, "no \"op\""),
            (#"{"op":"explode"}"#, "unknown op \"explode\""),
        ]
        for (request, mentions) in cases {
            let reply = try JSONSerialization.jsonObject(with: Data(try client.request(request))) as? [String: Any]
            #expect((reply?["error"] as? String)?.contains(mentions) == true, "\(request)")
        }
        let snapshot = try JSONSerialization.jsonObject(with: Data(try client.request(#"{"op":"snapshot"}"#))) as? [String: Any]
        #expect(snapshot?["version"] as? Int == 1)
    }

    @Test func probeAndHistoryOps() throws {
        let d = try DaemonHarness(probes: "[\(execProbe("a")), \(execProbe("b", code: 1))]")
        _ = d.waitForStatus { ($0["pending"] as? Int) == 0 }
        let client = try APIClient(path: d.socketPath)
        func ask(_ line: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(try client.request(line))) as? [String: Any] ?? [:]
        }
        let probe = try ask(#"{"op":"probe","name":"b"}"#)
        #expect((probe["b"] as? [String: Any])?["health"] as? String == "degraded")
        let history = try ask(#"{"op":"history","probe":"a","range":"1h"}"#)
        #expect(history["step"] as? String == "1m")
        let points = history["points"] as? [[String: Any]] ?? []
        #expect(points.count >= 60 && points.count <= 61)
        #expect(points.contains { ($0["count"] as? Int ?? 0) > 0 && $0["availability"] as? Int == 1 })
        let one = try ask(#"{"op":"history","probe":"a","range":"24h","series":"latency.p95"}"#)
        #expect(one["step"] as? String == "15m")
        #expect((one["points"] as? [[String: Any]])?.last?["v"] != nil)
        #expect((try ask(#"{"op":"history","probe":"a","range":"7d","step":"1m"}"#)["error"] as? String)?.contains("more than 1000 points") == true)
        #expect((try ask(#"{"op":"probe","name":"zzz"}"#)["error"] as? String) == "no probe named \"zzz\"")
        #expect((try ask(#"{"op":"history","probe":"a","series":"speed"}"#)["error"] as? String)?.hasPrefix("history \"series\" is one of") == true)
        // Answers keep the order of the questions, even when one goes to the engine.
        try client.send(#"{"op":"history","probe":"a","range":"7d"}"#)
        try client.send(#"{"op":"snapshot"}"#)
        let first = try JSONSerialization.jsonObject(with: Data(try #require(try client.readLine()))) as? [String: Any]
        let second = try JSONSerialization.jsonObject(with: Data(try #require(try client.readLine()))) as? [String: Any]
        #expect(first?["range"] as? String == "7d")
        #expect(second?["version"] as? Int == 1)
    }

    @Test func healthctlStatusExitsLikeAPlugin() throws {
        let ctl = URL(fileURLWithPath: DaemonHarness.binary).deletingLastPathComponent().appendingPathComponent("healthctl").path
        for (code, health) in [(0, "healthy"), (1, "degraded"), (2, "down")] {
            let d = try DaemonHarness(probes: "[\(execProbe("p", code: code))]")
            _ = d.waitForStatus { ($0["health"] as? String) == health }
            let table = shell(ctl, ["--socket", d.socketPath, "status"])
            #expect(table.0 == Int32(code), "\(health)")
            #expect(table.1.contains("system \(health)"))
            #expect(!table.1.contains("\u{1B}["))  // not a terminal: no colour
            let json = shell(ctl, ["--socket", d.socketPath, "status", "--json"])
            #expect((try? JSONSerialization.jsonObject(with: Data(json.1.utf8))) != nil)
        }
        let missing = shell(ctl, ["--socket", "/nonexistent/healthd.sock", "status"])
        #expect(missing.0 == 3)
        #expect(missing.1.contains("is healthd running?"))
    }

    @Test func subscribeGetsTheSnapshotThenChanges() throws {
        let d = try DaemonHarness(probes: "[\(execProbe("a"))]")
        d.waitForSocket()
        _ = d.waitForStatus { ($0["pending"] as? Int) == 0 }
        let client = try APIClient(path: d.socketPath)
        try client.send(#"{"op":"subscribe"}"#)
        let first = try JSONSerialization.jsonObject(with: Data(try #require(try client.readLine()))) as? [String: Any]
        #expect(first?["health"] as? String == "healthy")
        // Change the probe to a failing one: the subscriber hears about it without asking.
        try d.rewriteConfig(probes: "[\(execProbe("a", code: 2))]")
        d.signal(SIGHUP)
        var sawDown = false
        for _ in 0..<20 {
            guard let line = try client.readLine() else { break }
            let doc = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            if doc?["health"] as? String == "down" { sawDown = true; break }
        }
        #expect(sawDown)
    }

    @Test func aSubscriberThatNeverReadsIsDropped() throws {
        // Many probes flipping state make every snapshot large and frequent; the silent subscriber's
        // buffer fills, it is disconnected, and the daemon keeps answering others.
        let probes = (0..<200).map { i in
            #"{ name: "p\#(i)", kind: "exec", argv: ["/bin/sh", "-c", "exit $(( $(date +%N | cut -c1) % 3 ))"], interval: "200ms", timeout: "150ms" }"#
        }.joined(separator: ",")
        let d = try DaemonHarness(probes: "[\(probes)]")
        d.waitForSocket()
        let silent = try APIClient(path: d.socketPath)
        try silent.send(#"{"op":"subscribe"}"#)
        let other = try APIClient(path: d.socketPath)
        var answered = 0
        try waitUntil("the silent subscriber to be dropped", seconds: 30, every: 0.2) {
            if try other.request(#"{"op":"snapshot"}"#).first == UInt8(ascii: "{") { answered += 1 }
            return d.logSoFarContains("dropping a client")
        }
        #expect(answered > 0)
        _ = silent
    }

    @Test func sigtermRightAfterStartIsNotLost() throws {
        // Sent while healthd is still starting: blocked and read from a signalfd, it waits to be handled.
        let d = try DaemonHarness(probes: "[\(execProbe("a"))]")
        d.signal(SIGTERM)
        #expect(d.waitForExit(seconds: 5) == 0)
        #expect(d.log().contains("received SIGTERM, stopping"))
    }

    @Test func sigtermWritesAFinalSnapshot() throws {
        let d = try DaemonHarness(probes: "[\(execProbe("a"))]", outputInterval: "60s")
        _ = d.waitForStatus { ($0["pending"] as? Int) == 0 }
        let before = d.status()?["generated_at"] as? String
        // generated_at has second resolution: signal once the clock is past the second it shows.
        let shown = before.flatMap { ISO8601DateFormatter().date(from: $0) } ?? Date()
        waitUntil("the clock to pass \(before ?? "?")") { Date().timeIntervalSince(shown) >= 1.05 }
        let signalled = Date()
        d.signal(SIGTERM)
        #expect(d.waitForExit(seconds: 2) == 0)
        #expect(Date().timeIntervalSince(signalled) < 2)
        let after = d.status()?["generated_at"] as? String
        #expect(after != nil && after != before)
        #expect(!FileManager.default.fileExists(atPath: d.socketPath))
    }

    @Test func badReloadKeepsTheOldConfig() throws {
        let d = try DaemonHarness(probes: "[\(execProbe("a"))]")
        _ = d.waitForStatus { ($0["pending"] as? Int) == 0 }
        try "{ probes: [ { name: 'a', kind: 'exec', argv: [], interval: '10x' } ] }".write(toFile: d.configPath, atomically: true, encoding: .utf8)
        d.signal(SIGHUP)
        waitUntil("the reload to be rejected") { d.logSoFarContains("reload rejected, keeping the running config") }
        let count = ((d.probe("a")?["windows"] as? [String: Any])?["5m"] as? [String: Any])?["count"] as? Int ?? 0
        _ = d.waitForProbe("a") { (((($0["windows"] as? [String: Any])?["5m"] as? [String: Any])?["count"] as? Int) ?? 0) > count }
        d.signal(SIGTERM)
        #expect(d.waitForExit(seconds: 5) == 0)
        let log = d.log()
        #expect(log.contains("reload rejected, keeping the running config"))
        #expect(log.contains("probes[0].interval: \"10x\" is not a duration"))
    }

    @Test func reloadKeepsHistoryOfUnchangedProbes() throws {
        let d = try DaemonHarness(probes: "[\(execProbe("keep")), \(execProbe("change"))]")
        _ = d.waitForStatus { s in
            let probes = s["probes"] as? [String: [String: Any]]
            return ["keep", "change"].allSatisfy { windowCount(probes?[$0]) >= 3 }
        }
        try d.rewriteConfig(probes: "[\(execProbe("keep")), \(execProbe("change", code: 1)), \(execProbe("new"))]")
        d.signal(SIGHUP)
        let s = d.waitForStatus { s in
            let probes = s["probes"] as? [String: [String: Any]]
            return probes?["new"] != nil && probes?["change"]?["health"] as? String == "degraded"
        }
        let probes = s?["probes"] as? [String: [String: Any]]
        #expect(windowCount(probes?["keep"]) >= 3)
        #expect(windowCount(probes?["change"]) < 3)
    }

    @Test func speaksSdNotify() throws {
        let listener = try NotifyListener()
        let d = try DaemonHarness(probes: "[\(execProbe("a"))]",
                                  extraEnvironment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "200000"])
        #expect(listener.waitFor("READY=1"))
        #expect(listener.waitFor("WATCHDOG=1"))
        d.signal(SIGHUP)
        #expect(listener.waitFor("RELOADING=1"))
        d.signal(SIGTERM)
        #expect(listener.waitFor("STOPPING=1"))
        #expect(d.waitForExit(seconds: 5) == 0)
        listener.stop()
    }

    @Test func journalLinesCarryTheirPriority() throws {
        let d = try DaemonHarness(probes: "[\(execProbe("a"))]", extraEnvironment: ["JOURNAL_STREAM": "8:12345"])
        _ = d.waitForStatus { ($0["pending"] as? Int) == 0 }
        try "{ probes: 5 }".write(toFile: d.configPath, atomically: true, encoding: .utf8)
        d.signal(SIGHUP)
        waitUntil("the reload to be rejected") { d.logSoFarContains("<3>reload rejected") }
        d.signal(SIGTERM)
        #expect(d.waitForExit(seconds: 5) == 0)
        let lines = d.log().split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("<6>healthd started") })
        #expect(lines.contains { $0.hasPrefix("<3>reload rejected") })
        #expect(lines.allSatisfy { $0.hasPrefix("<") })
    }

    @Test func prometheusTextfilePassesPromtool() throws {
        let d = try DaemonHarness(probes: "[\(execProbe("a")), \(execProbe("b", code: 2))]")
        _ = d.waitForStatus { ($0["pending"] as? Int) == 0 }
        let promtool = Process()
        promtool.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        promtool.arguments = ["check", "metrics"]
        promtool.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: "\(d.dir)/healthd.prom"))
        let out = Pipe()
        promtool.standardOutput = out
        promtool.standardError = out
        try promtool.run()
        promtool.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(promtool.terminationStatus == 0, "\(text)")
    }

    @Test func checkConfigCommand() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("healthd-cc-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bad = "\(dir)/bad.json5"
        try "{ probes: [ {name: 'a', kind: 'tcp', url: 'tcp://h:1'}, {name: 'b', kind: 'tcp', url: 'tcp://h:1'}, {name: 'c', kind: 'tcp', url: 'tcp://h:1', interval: '10x'} ] }"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let (code, stderr) = run(DaemonHarness.binary, ["check-config", bad])
        #expect(code == 1)
        #expect(stderr.contains("probes[2].interval: \"10x\" is not a duration"))
        let good = "\(dir)/good.json5"
        try "{ probes: [ {name: 'a', kind: 'tcp', url: 'tcp://h:1'} ] }".write(toFile: good, atomically: true, encoding: .utf8)
        #expect(run(DaemonHarness.binary, ["check-config", good]).0 == 0)
    }
}

func windowCount(_ probe: [String: Any]?) -> Int {
    (((probe?["windows"] as? [String: Any])?["5m"] as? [String: Any])?["count"] as? Int) ?? 0
}

func run(_ program: String, _ args: [String]) -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: program)
    p.arguments = args
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    try? p.run()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
}

/// A datagram socket standing in for systemd's notify socket; a thread of its own keeps reading,
/// as systemd does, so the socket's small queue never fills.
final class NotifyListener: @unchecked Sendable {
    let path: String
    let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private var closed = false

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("notify-\(UUID().uuidString.prefix(8)).sock").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard rc == 0 else { throw POSIXError(.EADDRINUSE) }
        var tv = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        Thread.detachNewThread { [self] in
            var buf = [UInt8](repeating: 0, count: 4096)
            while !lock.withLock({ closed }) {
                let n = recv(fd, &buf, buf.count, 0)
                if n > 0 { lock.withLock { received.append(String(decoding: buf[..<n], as: UTF8.self)) } }
            }
            // The reader closes the socket, after its last recv: closing it under a recv would race.
            close(fd)
            unlink(path)
        }
    }

    /// The reader stops within its receive timeout (100 ms).
    func stop() { lock.withLock { closed = true } }

    /// True once a datagram containing the line `message` arrives within `seconds`.
    func waitFor(_ message: String, seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        waitUntil("\(message) on the notify socket", seconds: seconds, sourceLocation: sourceLocation) {
            lock.withLock { received.contains { $0.split(separator: "\n").contains(Substring(message)) } }
        }
    }
}
