import Foundation
import HealthClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// systemd's socket activation, with systemd's own tool: the socket exists before healthd runs,
/// healthd takes it as fd 3 and serves on it, and leaves it in place when it stops.
@Suite struct SocketActivationTests {
    @Test func servesOnTheSocketItWasGiven() throws {
        let dir = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let socketPath = "\(dir)/activated.sock"
        try DaemonHarness.config(dir: dir, probes: #"[{ name: "t", kind: "tcp", url: "tcp://127.0.0.1:1" }]"#)
            .replacingOccurrences(of: "\(dir)/healthd.sock", with: socketPath)
            .write(toFile: "\(dir)/c.json5", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        p.arguments = ["-l", socketPath, DaemonHarness.binary, "--config", "\(dir)/c.json5"]
        let err = Pipe()
        p.standardError = err
        try p.run()
        defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        waitUntil("the activation socket") { FileManager.default.fileExists(atPath: socketPath) }
        // The first connection starts healthd, which answers on the very socket it was handed.
        let client = try APIClient(path: socketPath)
        let reply = try JSONSerialization.jsonObject(with: Data(try client.request(#"{"op":"snapshot"}"#))) as? [String: Any]
        #expect(reply?["version"] as? Int == 1)
        // Stop it once it is fully up, as systemd would: its first publish done (status.html is written last).
        waitUntil("the first publish") { FileManager.default.fileExists(atPath: "\(dir)/status.html") }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("using the API socket systemd passed (socket activation)"))
        #expect(FileManager.default.fileExists(atPath: socketPath), "the socket is systemd's; healthd leaves it")
    }
}
