import Foundation
import Testing

/// Servers that lie: a "PostgreSQL" that asks for the password in clear text over a plain
/// connection (what a man in the middle would do), and one that answers with a 900 KB error.
@Suite(.serialized) struct SpoofedServerTests {
    /// A fake PostgreSQL: answers SSLRequest with N, then sends `reply` (a Python bytes
    /// expression) after the StartupMessage, and prints "PASSWORD" if a PasswordMessage arrives.
    func fakePostgres(_ reply: String) throws -> Attacker {
        try Attacker("""
            import socket, struct, sys, threading
            reply = eval(sys.argv[1])
            l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(16)
            print(l.getsockname()[1], flush=True)
            def serve(c):
                try:
                    while True:
                        head = c.recv(4, socket.MSG_WAITALL)
                        if len(head) < 4: return
                        n = struct.unpack("!I", head)[0]
                        body = c.recv(n - 4, socket.MSG_WAITALL)
                        if body[:4] == bytes.fromhex("04d2162f"): c.sendall(b"N"); continue   # SSLRequest
                        c.sendall(reply)
                        # anything more is a typed message: 'p' would be the password
                        t = c.recv(1)
                        if t == b"p": print("PASSWORD", flush=True)
                        return
                finally:
                    c.close()
            while True:
                c, _ = l.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
            """, [reply])
    }

    @Test func aCleartextRequestWithoutTLSGetsNoPassword() throws {
        // AuthenticationCleartextPassword: 'R', length 8, code 3.
        let server = try fakePostgres(#"b"R" + struct.pack("!II", 8, 3)"#)
        defer { server.stop() }
        let port = try #require(server.firstLine().flatMap(Int.init))
        let d = try DaemonHarness(probes: #"[{ name: "pg", kind: "postgres", url: "postgres://app:Pr1vate-Pw@127.0.0.1:\#(port)/app", interval: "500ms", timeout: "400ms", failure_threshold: 1 }]"#)
        let p = d.waitForProbe("pg") { $0["ok"] as? Bool == false }
        #expect(category(p) == "auth")
        #expect(message(p)?.contains("refused without TLS") == true, "\(String(describing: message(p)))")
        d.signal(SIGTERM)
        _ = d.waitForExit(seconds: 5)
        server.stop()
        #expect(server.firstLine() != "PASSWORD", "the fake server was sent the password")
    }

    @Test func aHugeErrorMessageIsCutWhereItEnters() throws {
        // An ErrorResponse (FATAL, 900 KB message): 'E', length, fields, terminator.
        let server = try fakePostgres(#"(lambda b: b"E" + struct.pack("!I", len(b) + 4) + b)(b"SFATAL\0C28000\0M" + b"A" * 900000 + b"\0\0")"#)
        defer { server.stop() }
        let port = try #require(server.firstLine().flatMap(Int.init))
        let d = try DaemonHarness(probes: #"[{ name: "pg", kind: "postgres", url: "postgres://app@127.0.0.1:\#(port)/app", interval: "500ms", timeout: "400ms", failure_threshold: 1 }]"#)
        let p = d.waitForProbe("pg") { $0["ok"] as? Bool == false }
        #expect((message(p)?.utf8.count ?? .max) <= 1024, "\(message(p)?.utf8.count ?? -1) bytes")
        let status = FileManager.default.contents(atPath: d.statusPath)?.count ?? .max
        #expect(status < 64 * 1024, "status.json is \(status) bytes")
    }
}
