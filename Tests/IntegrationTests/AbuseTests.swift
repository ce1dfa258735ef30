import Foundation
import HealthClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// healthd attacked by a local reader (uid nobody, in the socket's group, so it may read but not
/// act) and by hostile peers. Through each attack a probe every 250 ms keeps its schedule (no
/// snapshot shows a result older than two intervals), nothing turns falsely down, and the daemon
/// stays under a CPU and memory bound.
@Suite(.serialized) struct AbuseTests {
    static let interval = 0.25
    /// Where `beat` connects: each connection's time is noted.
    let recorder: ConnectRecorder

    init() throws { recorder = try ConnectRecorder() }

    /// A daemon with the `beat` probe (tcp to the recorder every 250 ms) and `extraProbes`, its
    /// socket open to group nogroup.
    func daemon(extraProbes: [String] = [], extra: String = "", launcher: [String] = []) throws -> DaemonHarness {
        let beat = #"{ name: "beat", kind: "tcp", url: "tcp://127.0.0.1:\#(recorder.port)", interval: "250ms", timeout: "200ms" }"#
        let d = try DaemonHarness(probes: "[" + ([beat] + extraProbes).joined(separator: ",") + "]",
                                  extra: #"socket: { group: "nogroup" },"# + extra, launcher: launcher)
        d.waitForSocket()
        d.waitForProbe("beat") { $0["health"] as? String == "healthy" }
        return d
    }

    /// Watches status.json for `seconds` while the attack runs: `beat` must stay healthy, and its
    /// connections (seen by the recorder) must never be more than two intervals apart. Then
    /// checks the daemon's CPU share and memory growth over the attack.
    func survive(_ d: DaemonHarness, seconds: Double, maxCPU: Double, maxGrowthMiB: Int, _ what: String) {
        let (cpu0, rss0) = processUsage(d.pid)
        let started = Date()
        var seen = 0
        // Not a wait: the attack's length is the scenario, and status.json is sampled ten times a second through it.
        while Date().timeIntervalSince(started) < seconds {
            usleep(100_000)
            guard let beat = (d.status()?["probes"] as? [String: Any])?["beat"] as? [String: Any] else { continue }
            seen += 1
            if beat["health"] as? String != "healthy" { Issue.record("\(what): beat turned \(beat["health"] ?? "?")") }
        }
        let ended = Date()
        let (cpu1, rss1) = processUsage(d.pid)
        let share = (cpu1 - cpu0) / ended.timeIntervalSince(started)
        let gap = recorder.longestGap(from: started, to: ended)
        #expect(seen >= Int(seconds) - 1, "\(what): only \(seen) snapshots in \(seconds) s")
        #expect(gap <= 2 * Self.interval, "\(what): beat went \(gap) s without a run")
        #expect(share <= maxCPU, "\(what): healthd used \(share) of a core")
        #expect((rss1 - rss0) >> 20 <= maxGrowthMiB, "\(what): healthd grew by \((rss1 - rss0) >> 20) MiB")
    }

    func json(_ line: [UInt8]) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] ?? [:]
    }

    @Test func aThousandSubscribersCannotTakeTheProbesDescriptors() throws {
        // What systemd gives a service without LimitNOFILE=: 1024, soft and hard.
        let d = try daemon(launcher: ["/usr/bin/prlimit", "--nofile=1024:1024", "--"])
        let attacker = try Attacker("""
            import socket, sys, time, resource
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
            socks = []
            for i in range(1100):
                try:
                    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b'{"op":"subscribe"}\\n')
                    s.setblocking(False); socks.append(s)
                except OSError:
                    pass
            print(len(socks), flush=True)
            while True:
                for s in socks:
                    try: s.recv(65536)
                    except OSError: pass
                time.sleep(0.05)  # a subscriber that reads now and then, as the attack needs
            """, [d.socketPath])
        defer { attacker.stop() }
        _ = attacker.firstLine()
        survive(d, seconds: 4, maxCPU: 0.3, maxGrowthMiB: 64, "1,100 subscribers")
        #expect(d.logSoFarContains("socket: at most"), "the client cap was lowered to fit the descriptors")
    }

    @Test func aFloodOfBlankLinesIsThrottled() throws {
        let d = try daemon()
        let attacker = try Attacker("""
            import socket, sys, threading
            def flood():
                s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
                data = b"\\n" * 65536
                while True: s.sendall(data)
            for _ in range(4): threading.Thread(target=flood, daemon=True).start()
            print("flooding", flush=True)
            threading.Event().wait()
            """, [d.socketPath])
        defer { attacker.stop() }
        _ = attacker.firstLine()
        survive(d, seconds: 4, maxCPU: 0.3, maxGrowthMiB: 16, "blank-line flood")
        let c = try APIClient(path: d.socketPath)
        #expect(json(try c.request(#"{"op":"snapshot"}"#, timeout: 5))["health"] as? String == "healthy", "others are still answered")
    }

    @Test func deniedRequestsCannotRotateTheAuditLog() throws {
        let d = try daemon()
        // An operator's record, made first.
        let admin = try APIClient(path: d.socketPath)
        #expect(json(try admin.request(#"{"op":"run","probe":"beat"}"#, timeout: 5))["ok"] as? Bool == true)
        let attacker = try Attacker("""
            import socket, sys, threading
            name = "x" * 60000
            def deny():
                s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rb")
                for _ in range(60):
                    s.sendall(('{"op":"run","probe":"%s"}\\n' % name).encode()); f.readline()
            threads = [threading.Thread(target=deny) for _ in range(5)]
            for t in threads: t.start()
            for t in threads: t.join()
            print("done", flush=True)
            """, [d.socketPath])
        defer { attacker.stop() }
        #expect(attacker.firstLine() == "done", "300 denied requests sent and answered")
        let log = (try? String(contentsOfFile: d.auditPath, encoding: .utf8)) ?? ""
        #expect(log.contains(#""user":"root""#) && log.contains(#""op":"run""#), "the operator's record is still there")
        #expect(log.utf8.count < 64 * 1024, "300 requests of 60 KB left \(log.utf8.count) bytes")
        // A burst is recorded, the rest counted into the next record (see LivenessTests).
        let denied = log.split(separator: "\n").filter { $0.contains(#""outcome":"denied""#) }
        #expect(denied.count == 20, "\(denied.count) denied records")
    }

    @Test func aPipeliningClientThatNeverReadsCostsBoundedMemory() throws {
        let d = try daemon()
        let attacker = try Attacker("""
            import socket, sys, time
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.setblocking(False)
            data = b'{"op":"snapshot"}\\n' * 1000
            sent, end = 0, time.time() + 30
            print("pipelining", flush=True)
            while time.time() < end:
                try: sent += s.send(data)
                except BlockingIOError: time.sleep(0.01)  # its buffer is full: retry soon, never read
            """, [d.socketPath])
        defer { attacker.stop() }
        _ = attacker.firstLine()
        survive(d, seconds: 4, maxCPU: 0.3, maxGrowthMiB: 16, "slow pipelining reader")
    }

    @Test func aServerStreamingPushFramesCannotStarveTheLoop() throws {
        let server = try Attacker("""
            import socket, threading
            l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(16)
            print(l.getsockname()[1], flush=True)
            frames = b">2\\r\\n+message\\r\\n+x\\r\\n" * 4096
            def stream(c):
                try:
                    while True: c.sendall(frames)
                except OSError: pass
            while True:
                c, _ = l.accept(); threading.Thread(target=stream, args=(c,), daemon=True).start()
            """, [])
        defer { server.stop() }
        let port = try #require(server.firstLine().flatMap(Int.init))
        let d = try daemon(extraProbes: [#"{ name: "pushy", kind: "redis", url: "redis://127.0.0.1:\#(port)", interval: "1s", timeout: "250ms", critical: false }"#])
        // The probe under attack parses the stream for its whole timeout, a quarter of each second: the
        // daemon may spend that, not more (reading it all at once, as before, cost the whole core).
        survive(d, seconds: 4, maxCPU: 0.6, maxGrowthMiB: 32, "push-frame stream")
        #expect(category(d.probe("pushy")) == "timeout")
    }

    @Test func anHTTPServerTricklingOneByteChunksOnlyTimesItsProbeOut() throws {
        let server = try Attacker("""
            import socket, threading, time
            l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(16)
            print(l.getsockname()[1], flush=True)
            def trickle(c):
                try:
                    c.recv(65536)
                    c.sendall(b"HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n")
                    while True:
                        c.sendall(b"1\\r\\nx\\r\\n"); time.sleep(0.0005)  # the trickle under test
                except OSError: pass
            while True:
                c, _ = l.accept(); threading.Thread(target=trickle, args=(c,), daemon=True).start()
            """, [])
        defer { server.stop() }
        let port = try #require(server.firstLine().flatMap(Int.init))
        let d = try daemon(extraProbes: [#"{ name: "slow", kind: "http", url: "http://127.0.0.1:\#(port)/", interval: "500ms", timeout: "400ms", critical: false }"#])
        survive(d, seconds: 4, maxCPU: 0.3, maxGrowthMiB: 16, "one-byte chunks")
        #expect(category(d.probe("slow")) == "timeout")
    }
}
