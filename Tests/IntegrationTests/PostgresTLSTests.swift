import Foundation
import Testing

/// The postgres probe against PostgreSQL as production runs it: `ssl = on` (Debian's default) with a
/// role allowed only over `hostssl`, a second server with `ssl = off`, and PgBouncer with
/// transaction pooling and SCRAM in front.
@Suite(.serialized) struct PostgresTLSTests {
    func probe(_ name: String, _ url: String, _ extra: String = "") -> String {
        #"{ name: "\#(name)", kind: "postgres", url: "\#(url)", interval: "500ms", timeout: "450ms", failure_threshold: 1 \#(extra) }"#
    }

    var tlsServer: String { "127.0.0.1:\(TestServers.postgresPort)" }
    var ca: String { "\(TestServers.tlsDir)/ca.crt" }

    @Test func everySSLModeAgainstAServerWithTLSOn() throws {
        let user = "tls_user:tls-secret"
        let d = try DaemonHarness(probes: "[" + [
            probe("prefer", "postgres://\(user)@\(tlsServer)/app"),
            probe("allow", "postgres://\(user)@\(tlsServer)/app?sslmode=allow"),
            probe("require", "postgres://\(user)@\(tlsServer)/app?sslmode=require"),
            probe("verify_ca", "postgres://\(user)@\(tlsServer)/app?sslmode=verify-ca&sslrootcert=\(ca)"),
            probe("verify_full", "postgres://\(user)@\(tlsServer)/app?sslmode=verify-full&sslrootcert=\(ca)"),
            probe("verify_full_name", "postgres://\(user)@localhost:\(TestServers.postgresPort)/app?sslmode=verify-full",
                  #", tls: { ca_file: "\#(ca)" }"#),
            probe("verify_full_system", "postgres://\(user)@\(tlsServer)/app?sslrootcert=system"),
            probe("bound", "postgres://\(user)@\(tlsServer)/app?sslmode=verify-full&sslrootcert=\(ca)&channel_binding=require"),
            probe("other_host", "postgres://\(user)@\(tlsServer)/app?sslmode=verify-full&sslrootcert=\(ca)",
                  #", tls: { server_name: "db.example.com" }"#),
            probe("wrong_ca", "postgres://\(user)@\(tlsServer)/app?sslmode=verify-ca&sslrootcert=\(TestServers.tlsDir)/wrongca.crt"),
            probe("disable", "postgres://\(user)@\(tlsServer)/app?sslmode=disable"),
        ].joined(separator: ",") + "]")
        for name in ["prefer", "allow", "require", "verify_ca", "verify_full", "verify_full_name", "verify_full_system", "bound"] {
            let p = d.waitForProbe(name) { $0["ok"] is Bool }
            #expect(p?["health"] as? String == "healthy", "\(name): \(String(describing: message(p)))")
            let tls = p?["tls"] as? [String: Any]
            #expect((tls?["version"] as? String)?.hasPrefix("TLSv1.") == true, "\(name)")
            #expect(tls?["subject"] as? String == "CN=localhost", "\(name)")
        }
        let other = d.waitForProbe("other_host") { $0["ok"] as? Bool == false }
        #expect(category(other) == "tls")
        #expect(message(other)?.contains("certificate is not for db.example.com: it holds") == true, "\(String(describing: message(other)))")
        let wrongCA = d.waitForProbe("wrong_ca") { $0["ok"] as? Bool == false }
        #expect(category(wrongCA) == "tls")
        #expect(message(wrongCA)?.contains("unknown issuer") == true, "\(String(describing: message(wrongCA)))")
        let plain = d.waitForProbe("disable") { $0["ok"] as? Bool == false }
        #expect(category(plain) == "auth")
        #expect(message(plain)?.contains("no encryption") == true, "the server's own reason: \(String(describing: message(plain)))")
        d.signal(SIGTERM)
        _ = d.waitForExit(seconds: 5)
        #expect(!d.log().contains("tls-secret"))
    }

    @Test func passwordsAreProtectedUnlessTheURLSaysOtherwise() throws {
        let d = try DaemonHarness(probes: "[" + [
            // The same role, cleartext method: over TLS (prefer) it is fine …
            probe("clear_tls", "postgres://clear_user:clear-secret@\(tlsServer)/app"),
            // … without TLS the password is not sent, unless require_auth allows it.
            probe("clear_plain", "postgres://clear_user:clear-secret@\(tlsServer)/app?sslmode=disable"),
            probe("clear_allowed", "postgres://clear_user:clear-secret@\(tlsServer)/app?sslmode=disable&require_auth=password"),
            // A server that asks for MD5 when only SCRAM is allowed gets nothing.
            probe("md5_pinned", "postgres://md5_user:md5-secret@\(tlsServer)/app?require_auth=scram-sha-256"),
        ].joined(separator: ",") + "]")
        #expect(d.waitForProbe("clear_tls") { $0["ok"] is Bool }?["health"] as? String == "healthy")
        #expect(d.waitForProbe("clear_allowed") { $0["ok"] is Bool }?["health"] as? String == "healthy")
        let refused = d.waitForProbe("clear_plain") { $0["ok"] as? Bool == false }
        #expect(category(refused) == "auth")
        #expect(message(refused)?.contains("refused without TLS") == true, "\(String(describing: message(refused)))")
        let pinned = d.waitForProbe("md5_pinned") { $0["ok"] as? Bool == false }
        #expect(message(pinned)?.contains("refused by require_auth") == true, "\(String(describing: message(pinned)))")
    }

    @Test func aServerWithTLSOffStillWorksUnderPrefer() throws {
        let base = "127.0.0.1:\(TestServers.postgresNoSSLPort)"
        let d = try DaemonHarness(probes: "[" + [
            probe("prefer", "postgres://healthd:healthd-secret@\(base)/app"),
            probe("require", "postgres://healthd:healthd-secret@\(base)/app?sslmode=require"),
        ].joined(separator: ",") + "]")
        let p = d.waitForProbe("prefer") { $0["ok"] is Bool }
        #expect(p?["health"] as? String == "healthy", "\(String(describing: message(p)))")
        #expect(p?["tls"] == nil)
        let r = d.waitForProbe("require") { $0["ok"] as? Bool == false }
        #expect(category(r) == "tls")
        #expect(message(r)?.contains("does not support TLS") == true)
    }

    @Test func throughPgBouncerInTransactionMode() throws {
        let base = "127.0.0.1:\(TestServers.pgbouncerPort)"
        // A function that writes, which the config's read-only check cannot see through.
        let psql = try #require(FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql").sorted().last)
        let sql = """
            CREATE TABLE IF NOT EXISTS probe_writes (id serial);
            CREATE OR REPLACE FUNCTION sneaky_write() RETURNS int LANGUAGE sql AS 'INSERT INTO probe_writes DEFAULT VALUES RETURNING 1';
            GRANT ALL ON probe_writes TO PUBLIC; GRANT ALL ON SEQUENCE probe_writes_id_seq TO PUBLIC;
            """
        let (rc, out) = shell("/usr/lib/postgresql/\(psql)/bin/psql",
                              ["-h", "127.0.0.1", "-p", "\(TestServers.postgresPort)", "-U", "postgres", "-d", "app", "-qc", sql])
        #expect(rc == 0, "\(out)")
        let d = try DaemonHarness(probes: "[" + [
            probe("login", "postgres://healthd:healthd-secret@\(base)/app"),
            probe("count", "postgres://scram_user:scram-secret@\(base)/app", #", query: "SELECT count(*) FROM enhancement_history""#),
            probe("write", "postgres://healthd:healthd-secret@\(base)/app", #", query: "SELECT sneaky_write()""#),
        ].joined(separator: ",") + "]")
        let login = d.waitForProbe("login") { $0["ok"] is Bool }
        #expect(login?["health"] as? String == "healthy", "\(String(describing: message(login)))")
        let count = d.waitForProbe("count") { $0["ok"] is Bool }
        #expect(count?["value"] as? Double == 500, "\(String(describing: message(count)))")
        let write = d.waitForProbe("write") { $0["ok"] as? Bool == false }
        #expect(message(write)?.contains("read-only transaction") == true, "\(String(describing: message(write)))")
        let (_, rows) = shell("/usr/lib/postgresql/\(psql)/bin/psql",
                              ["-h", "127.0.0.1", "-p", "\(TestServers.postgresPort)", "-U", "postgres", "-d", "app", "-tAc",
                               "SELECT count(*) FROM probe_writes"])
        #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }
}
