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
        // Every time unit: latency in milliseconds, cert.expires_in and values in seconds.
        ("cert.expires_in < 14d", .certExpiresIn, .lt, 1_209_600),
        ("cert.expires_in <= 12h", .certExpiresIn, .le, 43200),
        ("cert.expires_in < 90m", .certExpiresIn, .lt, 5400),
        ("cert.expires_in < 3600s", .certExpiresIn, .lt, 3600),
        ("cert.expires_in < 1.5d", .certExpiresIn, .lt, 129_600),
        ("cert.expires_in < 250ms", .certExpiresIn, .lt, 0.25),
        ("latency.p95(5m) > 1s", .latencyQuantile(0.95, .minutes(5)), .gt, 1000),
        ("latency > 2m", .latency, .gt, 120_000),
        ("latency > 1h", .latency, .gt, 3_600_000),
        ("latency > 1d", .latency, .gt, 86_400_000),
        ("value > 2m", .value, .gt, 120),
        ("value.avg(1h) > 1.5h", .valueAvg(.hours(1)), .gt, 5400),
        ("value < 1d", .value, .lt, 86400),
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
        ("cert.expires_in < 14", "cert.expires_in takes a time (14d, 12h, 30m)"),
        ("cert.expires_in < 10%", "cert.expires_in takes a time"),
        ("cert.expires_in(1h) < 1d", "unknown metric \"cert.expires_in\""),
        ("cert.expiry < 1d", "metrics are value, latency, failures, cert.expires_in, "),
        ("error_rate(1h) > 5m", "ratio"),
        ("availability(1h) < 1d", "ratio"),
        ("failures > 2d", "without a unit"),
        ("value > 5w", "not a number (optionally followed by ms, s, m, h, d or %)"),
    ])
    func rejects(text: String, mentions: String) {
        #expect {
            try Condition(parsing: text)
        } throws: { error in
            (error as? ConditionError)?.message.contains(mentions) == true
        }
    }
}
