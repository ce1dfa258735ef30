import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs the real healthd binary on a config in a temp dir, and reads what it publishes.
final class DaemonHarness: @unchecked Sendable {
    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["HEALTHD_BIN"] { return b }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/healthd").path
    }

    let dir: String
    let configPath: String
    let process = Process()
    let stderrPipe = Pipe()

    var socketPath: String { "\(dir)/healthd.sock" }
    var statusPath: String { "\(dir)/status.json" }

    /// `probes` is the JSON5 text of the probes list; the output section points into the temp dir.
    init(probes: String, components: String = "[]", extraEnvironment: [String: String] = [:], outputInterval: String = "1s") throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("healthd-it-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        configPath = "\(dir)/healthd.json5"
        try Self.config(dir: dir, probes: probes, components: components, interval: outputInterval).write(toFile: configPath, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--config", configPath]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = nil
        env["JOURNAL_STREAM"] = nil
        for (k, v) in extraEnvironment { env[k] = v }
        process.environment = env
        process.standardError = stderrPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    static func config(dir: String, probes: String, components: String = "[]", interval: String = "1s") -> String {
        """
        { output: { dir: "\(dir)", socket: "\(dir)/healthd.sock", interval: "\(interval)" },
          probes: \(probes),
          components: \(components) }
        """
    }

    func rewriteConfig(probes: String, components: String = "[]") throws {
        try Self.config(dir: dir, probes: probes, components: components).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: dir)
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for the process to exit, up to `seconds`; its exit status, or nil if it still runs.
    func waitForExit(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Everything healthd wrote to stderr (call after it exited).
    func log() -> String {
        logSoFar += String(decoding: stderrPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return logSoFar
    }

    private var logSoFar = ""

    /// Reads what healthd has logged so far without waiting for it to exit.
    func logSoFarContains(_ text: String) -> Bool {
        let fh = stderrPipe.fileHandleForReading
        let fd = fh.fileDescriptor
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            logSoFar += String(decoding: buf[..<n], as: UTF8.self)
        }
        _ = fcntl(fd, F_SETFL, flags)
        return logSoFar.contains(text)
    }

    func status() -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: statusPath) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    func probe(_ name: String) -> [String: Any]? {
        (status()?["probes"] as? [String: Any])?[name] as? [String: Any]
    }

    /// Polls status.json until `condition` holds or `seconds` pass; returns the last document.
    @discardableResult
    func waitForStatus(seconds: Double = 15, _ condition: ([String: Any]) -> Bool) -> [String: Any]? {
        let deadline = Date().addingTimeInterval(seconds)
        var last: [String: Any]?
        while Date() < deadline {
            if let s = status() {
                last = s
                if condition(s) { return s }
            }
            usleep(50_000)
        }
        Issue.record("status.json did not reach the expected state in \(seconds)s; last: \(String(describing: last))")
        return last
    }

    func waitForProbe(_ name: String, seconds: Double = 15, _ condition: @escaping ([String: Any]) -> Bool) -> [String: Any]? {
        let doc = waitForStatus(seconds: seconds) { s in
            ((s["probes"] as? [String: Any])?[name] as? [String: Any]).map(condition) ?? false
        }
        return (doc?["probes"] as? [String: Any])?[name] as? [String: Any]
    }

    func waitForSocket(seconds: Double = 10) {
        let deadline = Date().addingTimeInterval(seconds)
        while !FileManager.default.fileExists(atPath: socketPath), Date() < deadline { usleep(20_000) }
    }
}

/// The nginx that scripts/test starts on loopback.
enum TestServers {
    static var nginxPort: Int {
        guard let p = ProcessInfo.processInfo.environment["HEALTHD_TEST_NGINX_PORT"].flatMap(Int.init) else {
            Issue.record("HEALTHD_TEST_NGINX_PORT is not set: run the tests with scripts/test, which starts nginx")
            return 1
        }
        return p
    }
}

/// A TCP listener that accepts connections into its backlog and never answers.
final class SilentListener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 64)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        self.port = Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { close(fd) }
}

/// A port on loopback that nothing listens on (bound, then closed).
func closedPort() -> Int {
    let l = try! SilentListener()
    let p = l.port
    return p
}
