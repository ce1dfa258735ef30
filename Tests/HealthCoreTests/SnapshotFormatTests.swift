import Foundation
import Testing
@testable import HealthCore

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

    @Test func numbers() {
        #expect(formatNumber(150) == "150")
        #expect(formatNumber(0.4) == "0.4")
        #expect(formatNumber(612.3456) == "612.346")
        #expect(formatJSONNumber(146.2) == "146.2")
        #expect(formatJSONNumber(1.0 / 3) == "0.333333")
    }
}
