import Foundation
import Testing
@testable import HealthCore
import HealthRender

@Suite struct SnapshotFormatTests {
    let t0 = Timestamp(seconds: 1_795_341_600)

    func snapshot() throws -> Snapshot {
        var m = Monitor(spec: MonitorSpec(
            probes: [
                ProbeRules(name: "queue_depth", kind: "redis", degraded: [try Condition(parsing: "value > 100")]),
                ProbeRules(name: "api", kind: "http"),
            ],
            components: [ComponentRules(name: "queue", patterns: ["queue*"])],
            snapshotWindows: [.minutes(5)]))
        m.ingest(Sample(time: t0, latencyMs: 0.4, value: 150), probe: 0)
        return m.snapshot(now: t0)
    }

    @Test func jsonHasTheContractFields() throws {
        let doc = try JSONSerialization.jsonObject(with: Data(try snapshot().json().utf8)) as! [String: Any]
        #expect(doc["version"] as? Int == 1)
        #expect(doc["generated_at"] as? String == "2026-11-22T10:00:00Z")
        #expect(doc["health"] as? String == "degraded")
        #expect(doc["reasons"] as? [String] == ["queue_depth: value 150 > 100"])
        let probes = doc["probes"] as! [String: [String: Any]]
        let q = probes["queue_depth"]!
        #expect(q["kind"] as? String == "redis")
        #expect(q["health"] as? String == "degraded")
        #expect(q["pending"] as? Bool == false)
        #expect(q["ok"] as? Bool == true)
        #expect(q["latency_ms"] as? Double == 0.4)
        #expect(q["value"] as? Int == 150)
        #expect(q["stale"] as? Bool == false)
        #expect(q["error"] is NSNull)
        #expect(q["reasons"] as? [String] == ["value 150 > 100"])
        let w = (q["windows"] as! [String: [String: Any]])["5m"]!
        #expect(w["availability"] as? Double == 1)
        #expect(w["error_rate"] as? Double == 0)
        #expect((w["value"] as! [String: Any])["last"] as? Int == 150)
        #expect((w["latency_ms"] as! [String: Any])["p50"] != nil)
        let api = probes["api"]!
        #expect(api["pending"] as? Bool == true)
        #expect(api["health"] is NSNull)
        let comp = (doc["components"] as! [String: [String: Any]])["queue"]!
        #expect(comp["health"] as? String == "degraded")
        #expect(comp["probes"] as? [String] == ["queue_depth"])
    }

    static let tls = TLSFacts(version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256", subject: "CN=api.example.com",
                              issuer: "CN=R3, O=Let's Encrypt", dnsNames: ["api.example.com", "www.example.com"],
                              notAfter: Timestamp(seconds: 1_795_341_600 + 20 * 86400))

    /// One healthy probe built by hand, so that every byte of its JSON is known.
    func handBuilt(tls: TLSFacts? = nil, timings: AttemptTimings? = nil, now: Timestamp? = nil) -> Snapshot {
        let p = ProbeSnapshot(name: "api", kind: "http", critical: true, health: .healthy, since: t0, lastRun: t0, ok: true,
                              latencyMs: 4.2, timings: timings, value: nil, staleFor: nil, valueSource: nil, noData: false,
                              details: nil, consecutiveFailures: 0, error: nil, message: nil, reasons: [], windows: [],
                              suppressedBy: nil, flapping: false, tls: tls)
        return Snapshot(generatedAt: now ?? t0, health: .healthy, reasons: [], pendingCount: 0, probes: [p], components: [])
    }

    static func json(timings: String = "", tls: String = "") -> String {
        #"{"version":1,"generated_at":"2026-11-22T10:00:00Z","health":"healthy","reasons":[],"pending":0,"probes":{"api":"#
            + #"{"kind":"http","health":"healthy","since":"2026-11-22T10:00:00Z","pending":false,"critical":true,"ok":true,"#
            + #""latency_ms":4.2,\#(timings)"value":null,"stale":false,"no_data":false,"last_run":"2026-11-22T10:00:00Z","#
            + #""consecutive_failures":0,"error":null,"message":null,"reasons":[],"suppressed_by":null,"flapping":false,"#
            + #"\#(tls)"windows":{}}},"components":{}}"#
    }

    @Test func probeWithoutTLSOrTimingsIsWrittenAsBefore() {
        #expect(handBuilt().json() == Self.json())
    }

    @Test func tlsAndTimingsAreWrittenExactly() {
        let json = handBuilt(tls: Self.tls, timings: AttemptTimings(connect: 0.4, tls: 3.1, firstByte: 4.0, total: 4.2)).json()
        #expect(json == Self.json(
            timings: #""timings_ms":{"connect":0.4,"tls":3.1,"first_byte":4,"total":4.2},"#,
            tls: #""tls":{"version":"TLSv1.3","cipher":"TLS_AES_128_GCM_SHA256","subject":"CN=api.example.com","#
                + #""issuer":"CN=R3, O=Let's Encrypt","dns_names":["api.example.com","www.example.com"],"#
                + #""not_after":"2026-12-12T10:00:00Z","expires_in_s":1728000},"#))
    }

    @Test func timingsLeaveOutPhasesNotReachedAndRoundToTheMicrosecond() {
        let json = handBuilt(timings: AttemptTimings(connect: 1.23456789, total: 2000.0004)).json()
        #expect(json == Self.json(timings: #""timings_ms":{"connect":1.235,"total":2000},"#))
    }

    @Test func expiresInCountsFromTheSnapshotAndGoesNegative() throws {
        func expiresIn(at now: Timestamp) throws -> Int? {
            let doc = try JSONSerialization.jsonObject(with: Data(handBuilt(tls: Self.tls, now: now).json().utf8)) as! [String: Any]
            let api = (doc["probes"] as! [String: [String: Any]])["api"]!
            return (api["tls"] as! [String: Any])["expires_in_s"] as? Int
        }
        #expect(try expiresIn(at: t0 + .days(19)) == 86400)
        #expect(try expiresIn(at: t0 + .days(20)) == 0)
        #expect(try expiresIn(at: t0 + .days(21) + .milliseconds(400)) == -86400)
        #expect(try expiresIn(at: t0 + .days(22) + .milliseconds(600)) == -172_801)
    }

    @Test func jsonEscapesStrings() {
        var w = JSONWriter()
        w.string("a\"b\\c\nd\u{1}é")
        #expect(w.output == #""a\"b\\c\nd\u0001é""#)
    }

    @Test func prometheusText() throws {
        let text = try snapshot().prometheusText()
        #expect(text.contains("healthd_system_health 1\n"))
        #expect(text.contains("healthd_probe_health{probe=\"queue_depth\",kind=\"redis\"} 1\n"))
        #expect(text.contains("healthd_probe_value{probe=\"queue_depth\"} 150\n"))
        #expect(text.contains("healthd_probe_availability{probe=\"queue_depth\",window=\"5m\"} 1\n"))
        #expect(!text.contains("probe=\"api\",kind"))  // pending probes have no health sample
        #expect(text.contains("# TYPE healthd_probe_latency_seconds gauge\n"))
    }

    @Test func prometheusCertExpiry() {
        let family = "# HELP healthd_probe_cert_expiry_timestamp_seconds When the earliest certificate of the last TLS "
            + "session the probe saw expires.\n# TYPE healthd_probe_cert_expiry_timestamp_seconds gauge\n"
        let text = handBuilt(tls: Self.tls).prometheusText()
        #expect(text.contains(family + "healthd_probe_cert_expiry_timestamp_seconds{probe=\"api\"} 1797069600\n#"))
        // The family is always announced, as the others are; without TLS facts it has no samples.
        #expect(handBuilt().prometheusText().contains(family + "# HELP healthd_probe_availability "))
    }

    @Test func numbers() {
        #expect(formatNumber(150) == "150")
        #expect(formatNumber(0.4) == "0.4")
        #expect(formatNumber(612.3456) == "612.346")
        #expect(formatJSONNumber(146.2) == "146.2")
        #expect(formatJSONNumber(1.0 / 3) == "0.333333")
    }
}
