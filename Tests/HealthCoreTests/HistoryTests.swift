import Foundation
import Testing
@testable import HealthCore

@Suite struct HistoryTests {
    @Test(arguments: [
        (TimeSpan.hours(1), TimeSpan.minutes(1)), (.hours(6), .minutes(5)), (.hours(24), .minutes(15)),
        (.days(7), .hours(1)), (.minutes(30), .minutes(1)), (.hours(12), .minutes(15)), (.hours(2), .minutes(5)),
    ])
    func defaultSteps(range: TimeSpan, step: TimeSpan) throws {
        #expect(try HistoryRequest(probe: "p", range: range, step: nil, series: nil).step == step)
    }

    @Test func limits() {
        #expect(throws: HistoryError.self) { try HistoryRequest(probe: "p", range: .days(7), step: .minutes(1), series: nil) }
        #expect(throws: HistoryError.self) { try HistoryRequest(probe: "p", range: .days(8), step: nil, series: nil) }
        #expect(throws: HistoryError.self) { try HistoryRequest(probe: "p", range: TimeSpan(nanoseconds: 0), step: nil, series: nil) }
    }

    @Test func pointsFromTheWindows() throws {
        var m = Monitor(spec: MonitorSpec(probes: [ProbeRules(name: "q", kind: "redis")]))
        let t0 = Timestamp(seconds: 1_794_999_600)  // on the hour, so buckets line up with minutes
        for i in 0..<360 {  // one sample every 10 s for an hour, value = minute number
            let failure = i % 6 == 0 ? ProbeFailure(.timeout, "t") : nil
            m.ingest(Sample(time: t0 + .seconds(Int64(i * 10)), latencyMs: 5, value: Double(i / 6), failure: failure), probe: 0)
        }
        let now = t0 + .seconds(3599)
        let request = try HistoryRequest(probe: "q", range: .hours(1), step: nil, series: nil)
        let points = try #require(m.history(request, now: now))
        #expect(points.count >= 60 && points.count <= 61)
        let full = points.filter { $0.stats.count == 6 }
        #expect(full.count == 60)
        #expect(full.allSatisfy { abs(($0.stats.availability ?? 0) - 5.0 / 6) < 1e-9 })
        let doc = try JSONSerialization.jsonObject(with: Data(try #require(m.historyJSON(request, now: now)).utf8)) as! [String: Any]
        #expect(doc["step"] as? String == "1m")
        let first = (doc["points"] as! [[String: Any]]).first { ($0["count"] as? Int) == 6 }
        #expect(first?["latency.p95"] as? Double != nil)
        let one = try HistoryRequest(probe: "q", range: .hours(1), step: .minutes(15), series: .valueMax)
        let series = try JSONSerialization.jsonObject(with: Data(try #require(m.historyJSON(one, now: now)).utf8)) as! [String: Any]
        #expect((series["points"] as! [[String: Any]]).compactMap { $0["v"] as? Int }.contains(14))
        #expect(m.history(try HistoryRequest(probe: "nope", range: .hours(1), step: nil, series: nil), now: now) == nil)
    }
}
