import Foundation
import Testing

/// The postgres probe against a real PostgreSQL with trust, cleartext, md5 and scram-sha-256
/// roles (scripts/test creates them and seeds enhancement_history in database "app").
@Suite(.serialized) struct PostgresProbeTests {
    func probe(_ name: String, _ url: String, _ extra: String = "") -> String {
        #"{ name: "\#(name)", kind: "postgres", url: "\#(url)", interval: "500ms", timeout: "450ms", failure_threshold: 1 \#(extra) }"#
    }

    var base: String { "127.0.0.1:\(TestServers.postgresPort)" }

    @Test func everyAuthMethodGoodAndBad() throws {
        let d = try DaemonHarness(probes: "[" + [
            probe("trust", "postgres://trust_user@\(base)/app?sslmode=disable"),
            probe("clear", "postgres://clear_user:clear-secret@\(base)/app"),
            probe("md5", "postgres://md5_user:md5-secret@\(base)/app"),
            probe("scram", "postgres://scram_user:scram-secret@\(base)/app"),
            probe("clear_bad", "postgres://clear_user:wrong-clear@\(base)/app"),
            probe("md5_bad", "postgres://md5_user:wrong-md5@\(base)/app"),
            probe("scram_bad", "postgres://scram_user:wrong-scram@\(base)/app"),
            probe("scram_nopass", "postgres://scram_user@\(base)/app"),
            probe("require_tls", "postgres://scram_user:scram-secret@127.0.0.1:\(TestServers.postgresNoSSLPort)/app?sslmode=require"),
        ].joined(separator: ",") + "]")
        for name in ["trust", "clear", "md5", "scram"] {
            let p = d.waitForProbe(name) { $0["health"] as? String == "healthy" }
            #expect(p?["ok"] as? Bool == true, "\(name)")
        }
        for name in ["clear_bad", "md5_bad", "scram_bad", "scram_nopass"] {
            let p = d.waitForProbe(name) { $0["health"] as? String == "down" }
            #expect(category(p) == "auth", "\(name): \(String(describing: message(p)))")
        }
        let tls = d.waitForProbe("require_tls") { $0["health"] as? String == "down" }
        #expect(category(tls) == "tls")
        let status = String(decoding: FileManager.default.contents(atPath: d.statusPath) ?? Data(), as: UTF8.self)
        for secret in ["clear-secret", "md5-secret", "scram-secret", "wrong-clear", "wrong-md5", "wrong-scram"] {
            #expect(!status.contains(secret))
        }
        d.signal(SIGTERM)
        _ = d.waitForExit(seconds: 5)
        #expect(!d.log().contains("secret"))
    }

    @Test func valuesErrorsAndDetails() throws {
        let url = "postgres://scram_user:scram-secret@\(base)/app"
        let d = try DaemonHarness(probes: "[" + [
            probe("success_rate", url, #", query: "SELECT avg((status = 'completed')::int) FROM enhancement_history WHERE created_at > now() - interval '24 hours'", degraded: ["value < 95%"]"#),
            probe("p95", url, #", query: "SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY processing_time_ms) FROM enhancement_history""#),
            probe("count", url, #", query: "SELECT count(*) FROM enhancement_history""#),
            probe("flag", url, #", query: "SELECT true""#),
            probe("null", url, #", query: "SELECT NULL::int""#),
            probe("no_rows", url, #", query: "SELECT 1 WHERE false""#),
            probe("text", url, #", query: "SELECT 'hello'::text""#),
            probe("syntax", url, #", query: "SELECT FROM WHERE""#),
            probe("unknown_db", "postgres://scram_user:scram-secret@\(base)/nosuchdb"),
            probe("failures", url, #", query: "SELECT count(*) FROM enhancement_history WHERE status = 'failed'", details: { query: "SELECT ticket_id, tenant_id, error_message, created_at FROM enhancement_history WHERE status = 'failed' ORDER BY created_at DESC LIMIT 10", limit: 10, truncate: 100 }"#),
        ].joined(separator: ",") + "]")
        let rate = d.waitForProbe("success_rate") { $0["ok"] as? Bool == true }
        #expect(rate?["value"] as? Double == 0.9)
        #expect(rate?["health"] as? String == "degraded")
        #expect(rate?["reasons"] as? [String] == ["value 90% < 95%"])
        #expect((d.waitForProbe("p95") { $0["ok"] as? Bool == true }?["value"] as? Double ?? 0) > 100)
        #expect(d.waitForProbe("count") { $0["ok"] as? Bool == true }?["value"] as? Int == 500)
        #expect(d.waitForProbe("flag") { $0["ok"] as? Bool == true }?["value"] as? Int == 1)
        for name in ["null", "no_rows"] {
            let p = d.waitForProbe(name) { $0["ok"] as? Bool == true }
            #expect(p?["no_data"] as? Bool == true, "\(name)")
            #expect(p?["health"] as? String == "healthy", "\(name)")
        }
        let text = d.waitForProbe("text") { $0["health"] as? String == "down" }
        #expect(category(text) == "protocol")
        #expect(message(text)?.contains("text") == true)
        let syntax = d.waitForProbe("syntax") { $0["health"] as? String == "down" }
        #expect(message(syntax)?.contains("42601") == true)
        let db = d.waitForProbe("unknown_db") { $0["health"] as? String == "down" }
        #expect(message(db)?.contains("3D000") == true)
        let failures = d.waitForProbe("failures") { $0["details"] != nil }
        #expect(failures?["value"] as? Int == 50)
        let rows = failures?["details"] as? [[String: Any]] ?? []
        #expect(rows.count == 10)
        #expect(rows.first.map { Array($0.keys).sorted() } == ["created_at", "error_message", "tenant_id", "ticket_id"])
        let errorText = rows.first?["error_message"] as? String ?? ""
        #expect(errorText.count == 100)
        #expect(errorText.hasSuffix("…"))
    }
}
