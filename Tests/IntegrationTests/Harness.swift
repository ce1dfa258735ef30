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
    /// `extra` is more top-level sections (hooks, alerts, silences …).
    /// `launcher` runs healthd through another program (`["/usr/bin/prlimit", "--nofile=1024:1024", "--"]`).
    convenience init(probes: String, components: String = "[]", extra: String = "", extraEnvironment: [String: String] = [:],
                     outputInterval: String = "1s", launcher: [String] = []) throws {
        let dir = try Self.makeDir()
        let configPath = "\(dir)/healthd.json5"
        try Self.config(dir: dir, probes: probes, components: components, interval: outputInterval, extra: extra)
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        try self.init(configPath: configPath, dir: dir, extraEnvironment: extraEnvironment, launcher: launcher)
    }

    /// Runs healthd on a config file written by the caller, whose output dir is `dir`.
    init(configPath: String, dir: String, extraEnvironment: [String: String] = [:], launcher: [String] = []) throws {
        self.dir = dir
        self.configPath = configPath
        process.executableURL = URL(fileURLWithPath: launcher.first ?? Self.binary)
        process.arguments = launcher.dropFirst() + (launcher.isEmpty ? [] : [Self.binary]) + ["--config", configPath]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = nil
        env["JOURNAL_STREAM"] = nil
        for (k, v) in extraEnvironment { env[k] = v }
        process.environment = env
        process.standardError = stderrPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// A fresh temp dir for one daemon's config and output; the harness removes it.
    static func makeDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("healthd-it-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The state dir is in the temp dir too unless `extra` has a `state` section.
    static func config(dir: String, probes: String, components: String = "[]", interval: String = "1s", extra: String = "") -> String {
        """
        { output: { dir: "\(dir)", socket: "\(dir)/healthd.sock", interval: "\(interval)" },
          \(extra.contains("state:") ? "" : "state: { dir: \"\(dir)/state\" },")
          probes: \(probes),
          components: \(components),
          \(extra) }
        """
    }

    var auditPath: String { "\(dir)/state/audit.log" }

    /// The audit log's entries so far.
    func audit() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: auditPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    func rewriteConfig(probes: String, components: String = "[]") throws {
        try Self.config(dir: dir, probes: probes, components: components).write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: dir)
    }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }
    var pid: Int32 { process.processIdentifier }

    /// Waits for the process to exit, up to `seconds`; its exit status, or nil if it still runs.
    func waitForExit(seconds: Double, sourceLocation: SourceLocation = #_sourceLocation) -> Int32? {
        waitUntil("healthd to exit", seconds: seconds, sourceLocation: sourceLocation) { !process.isRunning }
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

    /// Reads status.json until `condition` holds or `seconds` pass; returns the last document.
    @discardableResult
    func waitForStatus(seconds: Double = 15, sourceLocation: SourceLocation = #_sourceLocation,
                       _ condition: ([String: Any]) -> Bool) -> [String: Any]? {
        waitFor("status.json to reach the expected state", seconds: seconds, sourceLocation: sourceLocation) {
            status()
        } until: { $0.map(condition) ?? false }
    }

    @discardableResult
    func waitForProbe(_ name: String, seconds: Double = 15, sourceLocation: SourceLocation = #_sourceLocation,
                      _ condition: @escaping ([String: Any]) -> Bool) -> [String: Any]? {
        let doc = waitForStatus(seconds: seconds, sourceLocation: sourceLocation) { s in
            ((s["probes"] as? [String: Any])?[name] as? [String: Any]).map(condition) ?? false
        }
        return (doc?["probes"] as? [String: Any])?[name] as? [String: Any]
    }

    func waitForSocket(seconds: Double = 10, sourceLocation: SourceLocation = #_sourceLocation) {
        waitUntil("the API socket \(socketPath)", seconds: seconds, sourceLocation: sourceLocation) {
            FileManager.default.fileExists(atPath: socketPath)
        }
    }
}

/// The servers scripts/test starts on loopback.
enum TestServers {
    static var nginxPort: Int { port("HEALTHD_TEST_NGINX_PORT") }
    /// nginx over TLS with a certificate from a CA scripts/test makes this machine trust for the run.
    static var nginxTLSPort: Int { port("HEALTHD_TEST_NGINX_TLS_PORT") }
    /// nginx over TLS with a self-signed certificate nobody trusts.
    static var nginxUntrustedPort: Int { port("HEALTHD_TEST_NGINX_UNTRUSTED_PORT") }
    static var postgresPort: Int { port("HEALTHD_TEST_PG_PORT") }
    static var redisPort: Int { port("HEALTHD_TEST_REDIS_PORT") }
    static var prometheusPort: Int { port("HEALTHD_TEST_PROM_PORT") }
    static var redisConf: String { setting("HEALTHD_TEST_REDIS_CONF") }
    static var prometheusConfig: String { setting("HEALTHD_TEST_PROM_CONFIG") }
    static var textfileDir: String { setting("HEALTHD_TEST_TEXTFILE_DIR") }
    static var alertmanagerPort: Int { port("HEALTHD_TEST_AM_PORT") }
    /// PostgreSQL with ssl = off; the main one (`postgresPort`) has ssl = on and a hostssl-only `tls_user`.
    static var postgresNoSSLPort: Int { port("HEALTHD_TEST_PG_NOSSL_PORT") }
    /// PgBouncer in front of the main PostgreSQL: transaction pooling, SCRAM, shipped defaults otherwise.
    static var pgbouncerPort: Int { port("HEALTHD_TEST_PGBOUNCER_PORT") }
    /// The main Redis's `tls-port`.
    static var redisTLSPort: Int { port("HEALTHD_TEST_REDIS_TLS_PORT") }
    static var nginxExpiredPort: Int { port("HEALTHD_TEST_NGINX_EXPIRED_PORT") }
    /// A certificate from the test CA for other.example.com only.
    static var nginxOtherHostPort: Int { port("HEALTHD_TEST_NGINX_OTHERHOST_PORT") }
    /// Requires a client certificate from the test CA (client.crt).
    static var nginxClientCertPort: Int { port("HEALTHD_TEST_NGINX_CLIENTCERT_PORT") }
    /// An HTTPS webhook receiver that logs each request's body to `nginxHookLog`.
    static var nginxHookPort: Int { port("HEALTHD_TEST_NGINX_HOOK_PORT") }
    static var nginxHookLog: String { setting("HEALTHD_TEST_NGINX_HOOK_LOG") }
    /// ca.crt, server.crt, expired.crt, otherhost.crt, client.crt/key, wrongca.crt …
    static var tlsDir: String { setting("HEALTHD_TEST_TLS_DIR") }
    /// server.crt's notAfter, in seconds since the epoch.
    static var serverCertNotAfter: Double { Double(setting("HEALTHD_TEST_SERVER_CERT_NOT_AFTER")) ?? 0 }

    private static func port(_ name: String) -> Int { Int(setting(name)) ?? 1 }

    private static func setting(_ name: String) -> String {
        guard let v = ProcessInfo.processInfo.environment[name] else {
            Issue.record("\(name) is not set: run the tests with scripts/test, which starts the servers")
            return ""
        }
        return v
    }
}

/// Runs a program to completion; its exit status and combined output.
@discardableResult
func shell(_ program: String, _ args: [String]) -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: program)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    do { try p.run() } catch { return (-1, "\(error)") }
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return (p.terminationStatus, text)
}

/// redis-cli against a test Redis as its default (password) user.
@discardableResult
func redisCLI(port: Int = TestServers.redisPort, _ args: String...) -> String { redisCLI(port: port, args) }

@discardableResult
func redisCLI(port: Int = TestServers.redisPort, _ args: [String]) -> String {
    shell("/usr/bin/redis-cli", ["-p", "\(port)", "-a", "redis-secret", "--no-auth-warning"] + args).1
}

/// A Redis of a test's own (the shared one's config, another port), so it can be stopped and started
/// without disturbing tests that run beside it.
final class OwnRedis {
    let port = closedPort()
    private let dir = FileManager.default.temporaryDirectory.appendingPathComponent("redis-\(UUID().uuidString.prefix(6))").path
    private var process: Process?

    init() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try start()
    }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        p.arguments = [TestServers.redisConf, "--port", "\(port)", "--daemonize", "no", "--pidfile", "\(dir)/redis.pid", "--dir", dir]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        waitUntil("Redis on port \(port) to answer PING") { redisCLI(port: port, "PING").contains("PONG") }
    }

    /// Kills it outright, as a crash would (nothing is persisted anyway).
    func stop() {
        if let p = process, p.isRunning { kill(p.processIdentifier, SIGKILL) }
        process?.waitUntilExit()
        process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: dir)
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
