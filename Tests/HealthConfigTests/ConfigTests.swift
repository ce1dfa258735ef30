import Foundation
import HealthCore
import Testing
@testable import HealthConfig

@Suite struct ConfigTests {
    func parse(_ text: String) throws(ConfigError) -> Config { try Config.parse(Data(text.utf8), file: "t.json5") }

    func issues(_ text: String) -> [String] {
        do {
            _ = try parse(text)
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func theBriefsExampleParses() throws {
        let c = try parse("""
            {
              output: { dir: "/run/healthd", socket: "/run/healthd/healthd.sock", interval: "10s" },
              probes: [
                { name: "api", kind: "http", url: "http://127.0.0.1:8080/health", interval: "10s", timeout: "2s",
                  expect: { status: [200] },
                  degraded: ["latency.p95(5m) > 500ms"] },   // comments and trailing commas are fine
                { name: "web", kind: "tcp", url: "tcp://[::1]:443", failure_threshold: 2, success_threshold: 3, critical: false },
                { name: "disk", kind: "exec", argv: ["/usr/lib/nagios/plugins/check_disk", "-w", "10%"] },
              ],
              components: [ { name: "front", probes: ["api", "w*"], critical: true } ],
            }
            """)
        #expect(c.output.interval == .seconds(10))
        #expect(c.probes.count == 3)
        #expect(c.probes[0].rules.degraded.map(\.source) == ["latency.p95(5m) > 500ms"])
        guard case .http(let check) = c.probes[0].target else { Issue.record("not http"); return }
        #expect(check.endpoint.port == 8080)
        #expect(check.endpoint.target == "/health")
        #expect(check.statuses == [200])
        #expect(c.probes[1].target == .tcp(host: "::1", port: 443))
        #expect(c.probes[1].rules.critical == false)
        #expect(c.probes[1].rules.successThreshold == 3)
        #expect(c.probes[2].timeout == .seconds(2))
        #expect(c.probes[2].interval == .seconds(10))
        #expect(c.components == [ComponentRules(name: "front", patterns: ["api", "w*"])])
        #expect(c.output.windows == MonitorSpec.defaultSnapshotWindows)
    }

    @Test func everyErrorNamesItsField() {
        let found = issues("""
            {
              output: { dir: "/tmp/x", interval: "soon", colour: "blue" },
              probes: [
                { name: "a", kind: "tcp", url: "tcp://127.0.0.1:1" },
                { name: "a", kind: "tcp", url: "tcp://127.0.0.1:2" },
                { name: "c", kind: "tcp", url: "tcp://127.0.0.1:3", interval: "10x" },
                { name: "d", kind: "http", url: "http://h/", timeout: "10s", interval: "5s", degraded: ["latency > 5%"] },
                { name: "e", kind: "smtp" },
                { name: "f", kind: "exec", argv: [] , retries: 3 },
                { name: "g", kind: "tcp", url: "tcp://host" },
                { kind: "tcp", url: "tcp://h:1" },
              ],
              components: [ { name: "k", probes: ["zzz*"] } ],
            }
            """)
        #expect(found.contains("output.interval: \"soon\" is not a duration (use 250ms, 2s, 5m, 1h, 7d)"))
        #expect(found.contains { $0.hasPrefix("output.colour: unknown key") })
        #expect(found.contains("probes[1].name: \"a\" is used by an earlier probe; names must be unique"))
        #expect(found.contains("probes[2].interval: \"10x\" is not a duration (use 250ms, 2s, 5m, 1h, 7d)"))
        #expect(found.contains("probes[3].timeout: timeout 10s must be less than interval 5s"))
        #expect(found.contains { $0.hasPrefix("probes[3].degraded[0]: 5%: latency takes a time") })
        #expect(found.contains { $0.hasPrefix("probes[4].kind: \"smtp\" is not a probe kind") })
        #expect(found.contains("probes[5].argv: needs at least the program"))
        #expect(found.contains { $0.hasPrefix("probes[5].retries: unknown key") })
        #expect(found.contains { $0.hasPrefix("probes[6].url: \"tcp://host\" needs a port") })
        #expect(found.contains("probes[7].name: is required"))
        #expect(found.contains("components[0].probes[0]: \"zzz*\" matches no probe"))
        #expect(found.count == 12)
    }

    @Test func certExpiryAndTimeUnitsInConditions() throws {
        let c = try parse("""
            { probes: [ { name: "api", kind: "http", url: "https://api.example/health",
                          degraded: ["cert.expires_in < 14d", "latency.p95(5m) > 1s"], down: ["cert.expires_in < 12h"] } ] }
            """)
        #expect(c.probes[0].rules.degraded.map(\.metric) == [.certExpiresIn, .latencyQuantile(0.95, .minutes(5))])
        #expect(c.probes[0].rules.degraded.map(\.threshold) == [1_209_600, 1000])
        #expect(c.probes[0].rules.down.map(\.threshold) == [43200])
        #expect(issues(#"{ probes: [ { name: "db", kind: "tcp", url: "tcp://h:5432", degraded: ["cert.expires_in < 14"] } ] }"#)
            == ["probes[0].degraded[0]: 14: cert.expires_in takes a time (14d, 12h, 30m)"])
    }

    @Test func syntaxErrorsAreReported() {
        let found = issues("{ probes: [ { name: 'a', } ")
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("not valid JSON5"))
    }

    @Test func typeErrors() {
        let found = issues("""
            { probes: [ { name: 1, kind: "tcp", url: "tcp://h:1", critical: "yes", failure_threshold: 0 } ] }
            """)
        #expect(found.contains("probes[0].name: must be a string"))
        #expect(found.contains("probes[0].critical: must be true or false"))
        #expect(found.contains("probes[0].failure_threshold: must be at least 1"))
    }

    @Test func passwordsNeverAppearInErrors() {
        let found = issues(#"{ probes: [ { name: "w", kind: "http", url: "http://u:hunter2@h:99999/" } ] }"#)
        #expect(found.count == 1)
        #expect(!found[0].contains("hunter2"))
        #expect(found[0].contains("u:***@"))
    }

    @Test func probesOnlyRead() {
        let found = issues(#"{ probes: [ { name: "w", kind: "http", url: "http://h/", method: "POST" } ] }"#)
        #expect(found == ["probes[0].method: probes only read: GET or HEAD"])
    }

    @Test func dataSourceKinds() throws {
        let c = try parse("""
            { probes: [
                { name: "pg", kind: "postgres", url: "postgres://app:s3cret@db:5433/shop?sslmode=disable",
                  query: "SELECT avg((status = 'completed')::int) FROM enhancement_history",
                  details: { query: "SELECT ticket_id FROM enhancement_history WHERE status = 'failed' LIMIT 10", limit: 5 } },
                { name: "q", kind: "redis", url: "redis://reader:pw@cache:6380/2", command: ["llen", "celery"] },
                { name: "clients", kind: "redis", url: "redis://cache", command: ["INFO", "clients"], field: "connected_clients" },
                { name: "p95", kind: "prometheus", url: "http://prometheus:9090", query: "histogram_quantile(0.95, x)",
                  require_data: true, fallback: "pg" },
            ] }
            """)
        guard case .postgres(let pg) = c.probes[0].target, case .redis(let r) = c.probes[1].target,
              case .prometheus(let p) = c.probes[3].target else { Issue.record("kinds"); return }
        #expect(pg.user == "app")
        #expect(pg.password == "s3cret")
        #expect(pg.database == "shop")
        #expect(pg.sslMode == .disable)
        #expect(pg.endpoint.port == 5433)
        #expect(pg.details?.limit == 5)
        #expect(pg.details?.truncate == 100)
        #expect(r.user == "reader")
        #expect(r.database == 2)
        #expect(r.command == ["llen", "celery"])
        #expect(p.requireData)
        #expect(c.probes[3].rules.fallback == "pg")
        #expect(c.probes[2].target == .redis(RedisCheck(endpoint: try Endpoint(parsing: "redis://cache"), user: nil, password: nil,
                                                         database: 0, command: ["INFO", "clients"], field: "connected_clients")))
    }

    @Test func probesNeverWrite() {
        let found = issues("""
            { probes: [
                { name: "a", kind: "redis", url: "redis://h", command: ["SET", "k", "v"] },
                { name: "b", kind: "redis", url: "redis://h", command: ["FLUSHALL"] },
                { name: "c", kind: "postgres", url: "postgres://u@h/d", query: "DELETE FROM t" },
                { name: "d", kind: "postgres", url: "postgres://u@h/d", query: "WITH x AS (UPDATE t SET a = 1 RETURNING a) SELECT * FROM x" },
                { name: "e", kind: "postgres", url: "postgres://u@h/d", query: "SELECT 1; DROP TABLE t" },
                { name: "f", kind: "postgres", url: "postgres://u@h/d", query: "SELECT count(*) FROM t WHERE note = 'please delete me'" },
                { name: "g", kind: "redis", url: "redis://h", command: ["INFO"] },
                { name: "h", kind: "prometheus", url: "http://p:9090", query: "up", fallback: "nope" },
                { name: "i", kind: "postgres", url: "postgres://u@h/d?sslmode=verify-everything" },
            ] }
            """)
        #expect(found.contains { $0.hasPrefix("probes[0].command: Redis command SET is not allowed: probes are read-only") })
        #expect(found.contains { $0.hasPrefix("probes[1].command: Redis command FLUSHALL is not allowed") })
        #expect(found.contains { $0.hasPrefix("probes[2].query: probes only read") })
        #expect(found.contains("probes[3].query: probes only read: \"update\" may change data"))
        #expect(found.contains { $0.hasPrefix("probes[4].query:") })
        #expect(!found.contains { $0.hasPrefix("probes[5]") })
        #expect(found.contains { $0.hasPrefix("probes[6].command: Redis INFO needs a field") })
        #expect(found.contains("probes[7].fallback: \"nope\" is not a probe"))
        #expect(found.contains { $0.hasPrefix("probes[8].url: sslmode=verify-everything is not one of disable, allow, prefer, require, verify-ca, verify-full") })
    }

    @Test func passwordFilesExpandTheEnvironment() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cred-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "from-file\n".write(toFile: "\(dir)/pg", atomically: true, encoding: .utf8)
        setenv("HEALTHD_TEST_CREDS", dir, 1)
        let c = try parse(#"{ probes: [ { name: "pg", kind: "postgres", url: "postgres://u@h/d", password_file: "${HEALTHD_TEST_CREDS}/pg" } ] }"#)
        guard case .postgres(let pg) = c.probes[0].target else { Issue.record("kind"); return }
        #expect(pg.password == "from-file")
        let missing = issues(#"{ probes: [ { name: "pg", kind: "postgres", url: "postgres://u@h/d", password_file: "/nonexistent/pw" } ] }"#)
        #expect(missing == ["probes[0].password_file: cannot read /nonexistent/pw (does it exist, and may healthd read it?)"])
    }

    @Test func environmentExpansion() {
        let env = ["CREDENTIALS_DIRECTORY": "/run/creds", "E": ""]
        #expect(expandEnvironment("${CREDENTIALS_DIRECTORY}/pg", environment: env) == "/run/creds/pg")
        #expect(expandEnvironment("a${E}b${MISSING}c", environment: env) == "abc")
        // Once the text before an unclosed ${ came out twice.
        #expect(expandEnvironment("/etc/${CREDENTIALS_DIRECTORY}/x/${oops", environment: env) == "/etc//run/creds/x/${oops")
        #expect(expandEnvironment("pw${", environment: env) == "pw${")
    }

    @Test func endpoints() throws {
        let e = try Endpoint(parsing: "redis://user:p%40ss@[::1]:6380/0?x=1")
        #expect(e.scheme == "redis")
        #expect(e.user == "user")
        #expect(e.password == "p@ss")
        #expect(e.host == "::1")
        #expect(e.port == 6380)
        #expect(e.target == "/0?x=1")
        #expect(e.queryItems.first! == ("x", "1"))
        #expect(e.redacted == "redis://user:***@[::1]:6380/0?x=1")
        #expect(try Endpoint(parsing: "http://example.com").port == 80)
        #expect(throws: EndpointError.self) { try Endpoint(parsing: "example.com:80") }
        #expect(throws: EndpointError.self) { try Endpoint(parsing: "http://:80/") }
        #expect(throws: EndpointError.self) { try Endpoint(parsing: "http://h:0/") }
    }

    @Test func queryPairsWithoutAKey() throws {
        // Found by fuzzing: "?=" trapped (index out of range) while reading a postgres URL.
        #expect(try Endpoint(parsing: "postgres://u@h/d?=").queryItems.map { [$0.0, $0.1] } == [["", ""]])
        #expect(try Endpoint(parsing: "postgres://u@h/d?=x&&a=").queryItems.map { [$0.0, $0.1] } == [["", "x"], ["a", ""]])
        #expect(issues(#"{ probes: [ { name: "pg", kind: "postgres", url: "postgres://u@h/d?=&sslmode=disable" } ] }"#)
            == [#"probes[0].url: unknown URL parameter "" (known: sslmode, sslrootcert, sslcert, sslkey, channel_binding, require_auth)"#])
    }

    @Test func snapshotWindowsAreConfigurable() throws {
        let c = try parse(#"{ output: { windows: ["1m", "7d"], socket: false }, probes: [] }"#)
        #expect(c.output.windows == [.minutes(1), .days(7)])
        #expect(c.output.socket == nil)
    }

    @Test func theShippedConfigsAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        // The example reads passwords from systemd credentials: give it some.
        let creds = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: creds, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: creds) }
        for name in ["postgres", "redis"] { try "pw".write(toFile: "\(creds)/\(name)", atomically: true, encoding: .utf8) }
        setenv("CREDENTIALS_DIRECTORY", creds, 1)
        for name in ["demo.json5", "healthd.json5"] {
            let c = try Config.load(path: root.appendingPathComponent("etc/healthd/\(name)").path)
            #expect(!c.probes.isEmpty)
        }
    }
}

/// Durations and times from the config are bounded where they enter, so that nothing armed from them overflows.
@Suite struct ConfigBoundsTests {
    let support = ConfigTests()

    func probe(_ extra: String) -> String {
        #"{ probes: [{ name: "a", kind: "tcp", url: "tcp://127.0.0.1:1", "# + extra + " }] }"
    }

    @Test(arguments: [
        (#"interval: "36526d""#, #"probes[0].interval: "36526d" is longer than 100 years (36525d)"#),
        (#"interval: "106752d""#, #"probes[0].interval: "106752d" is not a duration (use 250ms, 2s, 5m, 1h, 7d)"#),
    ])
    func overlongDurationsAreRefused(field: String, issue: String) {
        #expect(support.issues(probe(field)) == [issue])
    }

    @Test func aCenturyIsTheLongestDuration() throws {
        let c = try support.parse(probe(#"interval: "36525d", timeout: "36524d""#))
        #expect(c.probes[0].interval == .days(36_525))
    }

    @Test func hugeHookAndRuleDurationsAreRefused() {
        let found = support.issues("""
            { probes: [{ name: "a", kind: "tcp", url: "tcp://127.0.0.1:1" }],
              hooks: { am: { kind: "alertmanager", urls: ["http://127.0.0.1:9093"], resend: "99999d" },
                       w: { kind: "webhook", url: "http://127.0.0.1:1/", backoff: "50000d" } },
              alerts: [{ probes: ["a"], for: "40000d", repeat: "36526d", hooks: ["am", "w"] }] }
            """)
        #expect(found.count == 4)
        #expect(found.allSatisfy { $0.hasSuffix("is longer than 100 years (36525d)") })
    }

    @Test func silencesEndBy2200() throws {
        func silence(_ end: String) -> String {
            """
            { probes: [{ name: "a", kind: "tcp", url: "tcp://127.0.0.1:1" }],
              silences: [{ match: ["a"], start: "2026-11-22T10:00:00Z", end: "\(end)", reason: "r" }] }
            """
        }
        #expect(support.issues(silence("2261-12-31T00:00:00Z")) == ["silences[0].end: must be no later than 2200-01-01T00:00:00Z"])
        #expect(try support.parse(silence("2200-01-01T00:00:00Z")).silences.count == 1)
    }
}
