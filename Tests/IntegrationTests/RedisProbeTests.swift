import Foundation
import Testing

/// The redis probe against a real Redis with a password and a read-only ACL user.
@Suite(.serialized) struct RedisProbeTests {
    func probe(_ name: String, _ url: String, _ extra: String = "") -> String {
        #"{ name: "\#(name)", kind: "redis", url: "\#(url)", interval: "300ms", timeout: "250ms", failure_threshold: 1 \#(extra) }"#
    }

    @Test func authValuesAndFailures() throws {
        let port = TestServers.redisPort
        let key = "healthd-test-\(UUID().uuidString.prefix(6))"
        redisCLI("DEL", "\(key):list", "\(key):str", "\(key):num")
        redisCLI("RPUSH", "\(key):list", "a", "b", "c")
        redisCLI("SET", "\(key):str", "hello")
        redisCLI("SET", "\(key):num", "42.5")
        defer { redisCLI("DEL", "\(key):list", "\(key):str", "\(key):num") }
        let d = try DaemonHarness(probes: "[" + [
            probe("ping", "redis://:redis-secret@127.0.0.1:\(port)"),
            probe("acl_llen", "redis://reader:reader-secret@127.0.0.1:\(port)/0", #", command: ["LLEN", "\#(key):list"]"#),
            probe("get_number", "redis://:redis-secret@127.0.0.1:\(port)", #", command: ["GET", "\#(key):num"]"#),
            probe("missing_key", "redis://:redis-secret@127.0.0.1:\(port)", #", command: ["GET", "\#(key):nothing"]"#),
            probe("wrong_type", "redis://:redis-secret@127.0.0.1:\(port)", #", command: ["LLEN", "\#(key):str"]"#),
            probe("not_numeric", "redis://:redis-secret@127.0.0.1:\(port)", #", command: ["GET", "\#(key):str"]"#),
            probe("wrong_password", "redis://:not-the-password@127.0.0.1:\(port)"),
            probe("no_password", "redis://127.0.0.1:\(port)", #", command: ["DBSIZE"]"#),
            probe("acl_noperm", "redis://reader:reader-secret@127.0.0.1:\(port)", #", command: ["INFO", "clients"], field: "connected_clients""#),
            probe("info", "redis://:redis-secret@127.0.0.1:\(port)", #", command: ["INFO", "clients"], field: "connected_clients""#),
            probe("db_select", "redis://:redis-secret@127.0.0.1:\(port)/3", #", command: ["DBSIZE"]"#),
        ].joined(separator: ",") + "]")
        #expect(d.waitForProbe("ping") { $0["health"] as? String == "healthy" } != nil)
        #expect(d.waitForProbe("acl_llen") { $0["value"] as? Int == 3 }?["health"] as? String == "healthy")
        #expect(d.waitForProbe("get_number") { $0["value"] as? Double == 42.5 } != nil)
        let missing = d.waitForProbe("missing_key") { $0["ok"] as? Bool == true }
        #expect(missing?["value"] is NSNull)
        #expect(missing?["no_data"] as? Bool == true)
        #expect(category(d.waitForProbe("wrong_type") { $0["health"] as? String == "down" }) == "protocol")
        #expect(category(d.waitForProbe("not_numeric") { $0["health"] as? String == "down" }) == "protocol")
        let wrong = d.waitForProbe("wrong_password") { $0["health"] as? String == "down" }
        #expect(category(wrong) == "auth")
        #expect(category(d.waitForProbe("no_password") { $0["health"] as? String == "down" }) == "auth")
        let noperm = d.waitForProbe("acl_noperm") { $0["health"] as? String == "down" }
        #expect(category(noperm) == "auth")
        #expect(message(noperm)?.contains("permission") == true)
        #expect((d.waitForProbe("info") { $0["health"] as? String == "healthy" }?["value"] as? Int ?? 0) >= 1)
        #expect(d.waitForProbe("db_select") { $0["health"] as? String == "healthy" } != nil)
        // The password shows up nowhere the daemon writes.
        let status = String(decoding: FileManager.default.contents(atPath: d.statusPath) ?? Data(), as: UTF8.self)
        #expect(!status.contains("redis-secret") && !status.contains("reader-secret") && !status.contains("not-the-password"))
        d.signal(SIGTERM)
        _ = d.waitForExit(seconds: 5)
        #expect(!d.log().contains("secret"))
    }
}

func category(_ probe: [String: Any]?) -> String? { (probe?["error"] as? [String: Any])?["category"] as? String }
func message(_ probe: [String: Any]?) -> String? { (probe?["error"] as? [String: Any])?["message"] as? String }
