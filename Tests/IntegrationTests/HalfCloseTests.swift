import Foundation
import Testing

/// Shell clients: `echo '{"op":…}' | socat - UNIX-CONNECT:…` writes its request and half-closes at
/// once. Every request sent before that EOF is answered, in order, then the connection is closed.
@Suite struct HalfCloseTests {
    /// Sends `lines` (the last one without its newline when `bare`), half-closes, reads to EOF.
    func halfClosed(_ socket: String, _ lines: [String], bare: Bool = false) -> [String] {
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
            s.sendall(sys.argv[2].encode()); s.shutdown(socket.SHUT_WR)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk: break
                data += chunk
            sys.stdout.write(data.decode())
            """
        let payload = lines.joined(separator: "\n") + (bare ? "" : "\n")
        let (_, out) = shell("/usr/bin/python3", ["-c", script, socket, payload])
        return out.split(separator: "\n").map(String.init)
    }

    @Test func everyOpIsAnsweredBeforeTheConnectionCloses() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let svc = SwitchProbe("api", in: work)
        let d = try DaemonHarness(probes: "[\(svc.config)]")
        d.waitForSocket()
        d.waitForProbe("api") { $0["health"] as? String == "healthy" }
        let requests = [
            #"{"op":"snapshot"}"#, #"{"op":"probe","name":"api"}"#, #"{"op":"history","probe":"api","range":"24h"}"#,
            #"{"op":"alerts"}"#, #"{"op":"silences"}"#, #"{"op":"audit","limit":5}"#, #"{"op":"run","probe":"api"}"#,
            #"{"op":"silence","match":["api"],"duration":"1h","reason":"half-close test"}"#, #"{"op":"reload"}"#,
            #"{"op":"subscribe"}"#,
        ]
        for request in requests {
            let answers = halfClosed(d.socketPath, [request])
            #expect(answers.count == 1, "\(request): \(answers.count) answers")
            let answer = answers.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]
            #expect(answer != nil && answer?["error"] == nil, "\(request): \(answers.first ?? "nothing")")
        }
        // Several at once, the last without its newline: all answered, in order.
        let answers = halfClosed(d.socketPath, [#"{"op":"probe","name":"api"}"#, #"{"op":"alerts"}"#, #"{"op":"snapshot"}"#], bare: true)
        #expect(answers.count == 3)
        #expect(answers.first?.contains("\"name\":\"api\"") == true || answers.first?.contains("\"api\"") == true)
        #expect(answers.last?.contains("\"generated_at\"") == true)
    }
}
