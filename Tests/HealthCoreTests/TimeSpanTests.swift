import Testing
@testable import HealthCore

@Suite struct TimeSpanTests {
    @Test(arguments: [
        ("250ms", Int64(250_000_000)), ("2s", 2_000_000_000), ("5m", 300_000_000_000),
        ("1h", 3_600_000_000_000), ("7d", 604_800_000_000_000), ("1h30m", 5_400_000_000_000), ("0s", 0),
    ])
    func parses(text: String, nanos: Int64) {
        #expect(TimeSpan(parsing: text)?.nanoseconds == nanos)
    }

    @Test(arguments: ["", "10x", "5", "m", "1.5s", "-1s", "s5", "5 m", "1h-", "99999999999999999999d"])
    func rejects(text: String) {
        #expect(TimeSpan(parsing: text) == nil)
    }

    @Test func spellsShortest() {
        #expect(TimeSpan.minutes(5).description == "5m")
        #expect(TimeSpan.hours(24).description == "24h")
        #expect(TimeSpan.days(7).description == "7d")
        #expect(TimeSpan.seconds(90).description == "90s")
        #expect(TimeSpan.milliseconds(250).description == "250ms")
    }

    @Test func iso8601() {
        #expect(Timestamp(nanoseconds: 0).iso8601() == "1970-01-01T00:00:00Z")
        #expect(Timestamp(seconds: 1_795_341_600).iso8601() == "2026-11-22T10:00:00Z")
        #expect(Timestamp(seconds: 951_782_400).iso8601() == "2000-02-29T00:00:00Z")
        #expect(Timestamp(nanoseconds: 1_795_341_600_123_000_000).iso8601(fractional: true) == "2026-11-22T10:00:00.123Z")
    }

    @Test func globs() {
        #expect(globMatches("redis*", "redis"))
        #expect(globMatches("redis*", "redis_queue"))
        #expect(!globMatches("redis*", "postgres"))
        #expect(globMatches("a?c", "abc"))
        #expect(globMatches("*_db", "main_db"))
        #expect(!globMatches("api", "api2"))
    }
}
