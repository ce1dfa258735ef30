import Testing
@testable import HealthCore

@Suite struct ConditionParserTests {
    @Test(arguments: [
        ("value > 100", Condition.Metric.value, Condition.Op.gt, 100.0),
        ("latency.p95(5m) > 500ms", .latencyQuantile(0.95, .minutes(5)), .gt, 500),
        ("latency.p99(1h) >= 2s", .latencyQuantile(0.99, .hours(1)), .ge, 2000),
        ("error_rate(1h) > 2%", .errorRate(.hours(1)), .gt, 0.02),
        ("availability(24h) < 0.999", .availability(.hours(24)), .lt, 0.999),
        ("value.avg(24h) < 80%", .valueAvg(.hours(24)), .lt, 0.8),
        ("failures >= 2", .failures, .ge, 2),
        ("value.delta(1h)!=0", .valueDelta(.hours(1)), .ne, 0),
        ("latency <= 250", .latency, .le, 250),
        ("value == -3.5", .value, .eq, -3.5),
        ("value > 500ms", .value, .gt, 0.5),
        ("value.max(7d) > 1e3", .valueMax(.days(7)), .gt, 1000),
    ])
    func parses(text: String, metric: Condition.Metric, op: Condition.Op, threshold: Double) throws {
        let c = try Condition(parsing: text)
        #expect(c.metric == metric)
        #expect(c.op == op)
        #expect(abs(c.threshold - threshold) < 1e-12)
    }

    @Test(arguments: [
        ("value 100", "no comparison"),
        ("speed > 1", "unknown metric"),
        ("latency.p42(5m) > 1", "unknown metric"),
        ("availability(8d) < 0.9", "longer than 7d"),
        ("availability(5x) < 0.9", "not a duration"),
        ("value > lots", "not a number"),
        ("failures > 2%", "without a unit"),
        ("error_rate(1h) > 5ms", "ratio"),
        ("latency > 5%", "latency takes a time"),
        ("value = 3", "no comparison"),
        ("availability < 0.9", "unknown metric"),
    ])
    func rejects(text: String, mentions: String) {
        #expect {
            try Condition(parsing: text)
        } throws: { error in
            (error as? ConditionError)?.message.contains(mentions) == true
        }
    }
}
