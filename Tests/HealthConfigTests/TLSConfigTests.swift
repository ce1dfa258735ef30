import Foundation
import HealthCore
import HealthProtocols
import Testing
@testable import HealthConfig

/// `tls` blocks, `https`/`rediss` URLs and libpq's security parameters.
@Suite struct TLSConfigTests {
    static let certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    static let key = "-----BEGIN PRIVATE KEY-----\nS3CRETKEYBYTES\n-----END PRIVATE KEY-----\n"

    /// A temp dir holding ca.pem, cert.pem, key.pem and not-pem.txt, removed after `body`.
    func withFiles(_ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.certificate.write(toFile: "\(dir)/ca.pem", atomically: true, encoding: .utf8)
        try Self.certificate.write(toFile: "\(dir)/cert.pem", atomically: true, encoding: .utf8)
        try Self.key.write(toFile: "\(dir)/key.pem", atomically: true, encoding: .utf8)
        try "hello".write(toFile: "\(dir)/not-pem.txt", atomically: true, encoding: .utf8)
        try body(dir)
    }

    /// The text is the probes list's entries.
    func parse(_ probes: String) throws(ConfigError) -> Config { try ConfigTests().parse("{ probes: [ \(probes) ] }") }
    func issues(_ probes: String) -> [String] { ConfigTests().issues("{ probes: [ \(probes) ] }") }

    func postgres(_ config: Config, _ i: Int = 0) throws -> PostgresCheck {
        guard case .postgres(let c) = config.probes[i].target else { throw NotPostgres() }
        return c
    }

    @Test func httpsVerifiesByDefaultAndReadsTheBlock() throws {
        try withFiles { dir in
            let c = try parse("""
                { name: "a", kind: "http", url: "https://api.example.com/health" },
                { name: "b", kind: "http", url: "https://10.0.0.1/health",
                  tls: { ca_file: "\(dir)/ca.pem", cert_file: "\(dir)/cert.pem", key_file: "\(dir)/key.pem",
                         server_name: "api.internal", insecure_skip_verify: false } },
                { name: "c", kind: "http", url: "https://self-signed.local", tls: { insecure_skip_verify: true } },
                """)
            guard case .http(let a) = c.probes[0].target, case .http(let b) = c.probes[1].target,
                  case .http(let insecure) = c.probes[2].target else { Issue.record("not http"); return }
            #expect(a.tls == TLSSettings())
            #expect(b.tls?.caPEM == Array(Self.certificate.utf8))
            #expect(b.tls?.keyPEM == Array(Self.key.utf8))
            #expect(b.tls?.serverName == "api.internal")
            #expect(b.tls?.verifyChain == true && b.tls?.verifyHost == true)
            #expect(insecure.tls?.verifyChain == false)
            #expect(!String(describing: b.tls!).contains("S3CRET"))
        }
    }

    @Test func tlsBlockErrorsNameTheFieldAndNeverQuoteTheKey() throws {
        try withFiles { dir in
            let found = issues("""
                { name: "a", kind: "http", url: "http://plain/", tls: {} },
                { name: "b", kind: "http", url: "https://h/", tls: { ca_file: "\(dir)/missing.pem" } },
                { name: "c", kind: "http", url: "https://h/", tls: { ca_file: "\(dir)/not-pem.txt" } },
                { name: "d", kind: "http", url: "https://h/", tls: { cert_file: "\(dir)/cert.pem" } },
                { name: "e", kind: "http", url: "https://h/", tls: { key_file: "\(dir)/cert.pem", cert_file: "\(dir)/cert.pem" } },
                { name: "f", kind: "http", url: "https://h/", tls: { verify: false } },
                { name: "g", kind: "redis", url: "rediss://h", tls: { cert_file: "\(dir)/key.pem", key_file: "\(dir)/key.pem" } },
                """)
            #expect(found.contains("probes[0].tls: applies to https:// URLs only"))
            #expect(found.contains { $0.hasPrefix("probes[1].tls.ca_file: cannot read \(dir)/missing.pem") })
            #expect(found.contains { $0.hasPrefix("probes[2].tls.ca_file: \(dir)/not-pem.txt holds no PEM certificate") })
            #expect(found.contains("probes[3].tls: a client certificate needs both cert_file and key_file"))
            #expect(found.contains { $0.hasPrefix("probes[4].tls.key_file:") && $0.contains("no PEM private key") })
            #expect(found.contains { $0.hasPrefix("probes[5].tls.verify: unknown key") })
            #expect(found.contains { $0.hasPrefix("probes[6].tls.cert_file:") })
            #expect(!found.joined().contains("S3CRET"))
        }
    }

    @Test func redissAndHttpsPrometheus() throws {
        let c = try parse("""
            { name: "r", kind: "redis", url: "rediss://:pw@cache.example.com" },
            { name: "p", kind: "prometheus", url: "https://prom.example.com", query: "up" },
            { name: "q", kind: "redis", url: "redis://cache" },
            """)
        guard case .redis(let r) = c.probes[0].target, case .prometheus(let p) = c.probes[1].target,
              case .redis(let plain) = c.probes[2].target else { Issue.record("kinds"); return }
        #expect(r.endpoint.port == 6379)
        #expect(r.tls == TLSSettings())
        #expect(p.tls == TLSSettings())
        #expect(plain.tls == nil)
    }

    @Test(arguments: [
        ("", PostgresCheck.SSLMode.prefer, false, false),
        ("?sslmode=disable", .disable, false, false),
        ("?sslmode=allow", .allow, false, false),
        ("?sslmode=require", .require, false, false),
        ("?sslmode=verify-ca", .verifyCA, true, false),
        ("?sslmode=verify-full", .verifyFull, true, true),
        ("?sslrootcert=system", .verifyFull, true, true),
    ])
    func sslModesDecideWhatIsVerified(query: String, mode: PostgresCheck.SSLMode, chain: Bool, host: Bool) throws {
        let pg = try postgres(try parse("{ name: \"pg\", kind: \"postgres\", url: \"postgres://u:pw@db/app\(query)\" }"))
        #expect(pg.sslMode == mode)
        #expect(pg.tls.verifyChain == chain)
        #expect(pg.tls.verifyHost == host)
        #expect(pg.tls.caPEM == nil)
    }

    @Test func libpqFileParametersAndTheirLibpqQuirks() throws {
        try withFiles { dir in
            let c = try parse("""
                { name: "a", kind: "postgres", url: "postgres://u@db/app?sslmode=require&sslrootcert=\(dir)/ca.pem" },
                { name: "b", kind: "postgres", url: "postgres://u@db/app?sslmode=verify-full&sslcert=\(dir)/cert.pem&sslkey=\(dir)/key.pem" },
                { name: "c", kind: "postgres", url: "postgres://u@db/app?sslmode=verify-ca", tls: { ca_file: "\(dir)/ca.pem" } },
                """)
            let a = try postgres(c, 0), b = try postgres(c, 1), cc = try postgres(c, 2)
            // libpq: require with a root certificate verifies the chain, as verify-ca does.
            #expect(a.tls.verifyChain && !a.tls.verifyHost && a.tls.caPEM != nil)
            #expect(b.tls.certificatePEM != nil && b.tls.keyPEM != nil)
            #expect(cc.tls.caPEM != nil && cc.tls.verifyChain && !cc.tls.verifyHost)
        }
    }

    @Test func securityParameterErrors() throws {
        try withFiles { dir in
            let found = issues("""
                { name: "a", kind: "postgres", url: "postgres://u@db/app?sslrootcert=system&sslmode=require" },
                { name: "b", kind: "postgres", url: "postgres://u@db/app?channel_binding=maybe" },
                { name: "c", kind: "postgres", url: "postgres://u@db/app?sslmode=disable&channel_binding=require" },
                { name: "d", kind: "postgres", url: "postgres://u@db/app?require_auth=password,!md5" },
                { name: "e", kind: "postgres", url: "postgres://u@db/app?require_auth=kerberos" },
                { name: "f", kind: "postgres", url: "postgres://u@db/app?sslcert=\(dir)/cert.pem" },
                { name: "g", kind: "postgres", url: "postgres://u@db/app?sslrootcert=\(dir)/ca.pem", tls: { ca_file: "\(dir)/ca.pem" } },
                { name: "h", kind: "postgres", url: "postgres://u@db/app?connect_timeout=3" },
                """)
            #expect(found.contains { $0.hasPrefix("probes[0].url: sslrootcert=system needs sslmode=verify-full") })
            #expect(found.contains { $0.hasPrefix("probes[1].url: channel_binding=maybe is not one of") })
            #expect(found.contains { $0.hasPrefix("probes[2].url: channel_binding=require needs TLS") })
            #expect(found.contains("probes[3].url: require_auth cannot mix negated (!) and plain methods"))
            #expect(found.contains { $0.hasPrefix("probes[4].url: require_auth: \"kerberos\" is not one of") })
            #expect(found.contains("probes[5].url: a client certificate needs both sslcert and sslkey"))
            #expect(found.contains("probes[6].url: sslrootcert and tls.ca_file both given: keep one"))
            #expect(found.contains { $0.hasPrefix("probes[7].url: unknown URL parameter \"connect_timeout\"") })
        }
    }

    @Test func requireAuthIsKept() throws {
        let c = try parse("""
            { name: "a", kind: "postgres", url: "postgres://u@db/app?require_auth=scram-sha-256&channel_binding=require" },
            { name: "b", kind: "postgres", url: "postgres://u@db/app?require_auth=!password" },
            """)
        #expect(try postgres(c, 0).authPolicy == PostgresAuthPolicy(allowing: [.scramSHA256]))
        #expect(try postgres(c, 0).channelBinding == .require)
        #expect(try postgres(c, 1).authPolicy == PostgresAuthPolicy(allowing: [.md5, .scramSHA256, .none]))
    }

    @Test func hooksTakeATLSBlockForHTTPS() throws {
        try withFiles { dir in
            let c = try Config.parse(Data("""
                { probes: [ { name: "t", kind: "tcp", url: "tcp://h:1" } ],
                  hooks: {
                    w: { kind: "webhook", url: "https://hooks.example.com/x", tls: { ca_file: "\(dir)/ca.pem" } },
                    am: { kind: "alertmanager", urls: ["https://am:9093"] },
                  } }
                """.utf8), file: "t.json5")
            guard case .alertmanager(let am) = c.hooks[0].kind, case .webhook(let w) = c.hooks[1].kind else {
                Issue.record("hooks")
                return
            }
            #expect(w.tls?.caPEM == Array(Self.certificate.utf8))
            #expect(am.tls == TLSSettings())
        }
    }
}
struct NotPostgres: Error {}
