import Foundation
import Testing
@testable import HealthConfig

/// No part of a password or token shows in a config error, and every credential is known for scrubbing.
@Suite struct SecretsConfigTests {
    /// The text is the probes list's entries.
    func issues(_ probes: String) -> [String] { ConfigTests().issues("{ probes: [ \(probes) ] }") }

    @Test(arguments: [
        "postgres://u:Sl4sh/Y3s@db:5432/app",       // / ends the authority early
        "postgres://u:Qu3ry?Y3s@db/app",            // so does ?
        "postgres://u:N0AtSignH3re",                // the @host is missing: the "port" is the password
        "redis://:Sl4sh/Y3s@cache:6379/0",
    ])
    func aMalformedURLNeverShowsItsPassword(url: String) {
        let kind = url.hasPrefix("redis") ? "redis" : "postgres"
        let found = issues(#"{ name: "p", kind: "\#(kind)", url: "\#(url)" }"#)
        #expect(!found.isEmpty, "\(url) was accepted")
        for fragment in ["Sl4sh", "Y3s", "Qu3ry", "N0AtSignH3re"] {
            #expect(!found.joined().contains(fragment), "\(found)")
        }
    }

    @Test func anEncodedSlashIsFine() throws {
        let c = try Config.parse(Data(#"{ probes: [ { name: "p", kind: "postgres", url: "postgres://u:Sl4sh%2FY3s@db/app" } ] }"#.utf8), file: "t.json5")
        guard case .postgres(let pg) = c.probes[0].target else { Issue.record("not postgres"); return }
        #expect(pg.password == "Sl4sh/Y3s")
        #expect(c.secrets.contains("Sl4sh/Y3s"))
    }

    @Test func credentialHeadersAreSecretsOthersAreNot() throws {
        let c = try Config.parse(Data("""
            { probes: [ { name: "api", kind: "http", url: "https://api.example.com/health",
                          headers: { Authorization: "Bearer t0ken-abc", "X-Api-Key": "k3y-value", Accept: "application/json" } } ] }
            """.utf8), file: "t.json5")
        #expect(c.secrets.contains("Bearer t0ken-abc"))
        #expect(c.secrets.contains("k3y-value"))
        #expect(!c.secrets.contains("application/json"))
    }
}
