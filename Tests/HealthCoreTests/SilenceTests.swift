import Testing
@testable import HealthCore

@Suite struct SilenceTests {
    func at(_ iso: String) -> Timestamp { Timestamp(iso8601: iso)! }

    @Test func onceIsHalfOpen() {
        let s = Silence(id: "1", matchers: ["redis*"], schedule: .once(start: at("2026-11-22T10:00:00Z"), end: at("2026-11-22T11:00:00Z")),
                        reason: "upgrade", createdBy: "config")
        #expect(!s.isActive(at: at("2026-11-22T09:59:59Z")))
        #expect(s.isActive(at: at("2026-11-22T10:00:00Z")))
        #expect(s.isActive(at: at("2026-11-22T10:59:59Z")))
        #expect(!s.isActive(at: at("2026-11-22T11:00:00Z")))
        #expect(s.isExpired(at: at("2026-11-22T11:00:00Z")))
        #expect(s.matches(AlertSubject(.probe, "redis_queue")))
        #expect(!s.matches(AlertSubject(.probe, "postgres")))
    }

    @Test func weeklyWindowCrossingMidnight() {
        // Saturdays 23:00 UTC for 3 h: Saturday 23:00 → Sunday 02:00. 2026-11-21 is a Saturday.
        let s = Silence(id: "w", matchers: ["*"], schedule: .weekly(days: [6], start: .hours(23), duration: .hours(3)),
                        reason: "backups", createdBy: "config")
        #expect(!s.isActive(at: at("2026-11-21T22:59:59Z")))
        #expect(s.isActive(at: at("2026-11-21T23:00:00Z")))
        #expect(s.isActive(at: at("2026-11-22T01:59:59Z")))
        #expect(!s.isActive(at: at("2026-11-22T02:00:00Z")))
        #expect(s.isActive(at: at("2026-11-28T23:30:00Z")), "next week too")
        #expect(!s.isActive(at: at("2026-11-25T23:30:00Z")), "not on a Wednesday")
        #expect(!s.isExpired(at: at("2030-01-01T00:00:00Z")))
    }

    @Test func weekdaysBeforeTheEpoch() {
        // 1969-12-28 was a Sunday.
        let s = Silence(id: "w", matchers: ["*"], schedule: .weekly(days: [0], start: .hours(1), duration: .hours(1)),
                        reason: "", createdBy: "config")
        #expect(s.isActive(at: at("1969-12-28T01:30:00Z")))
        #expect(!s.isActive(at: at("1969-12-29T01:30:00Z")))
    }

    @Test func iso8601RoundTripsAndRejects() {
        let t = at("2026-11-22T10:00:00Z")
        #expect(t.iso8601() == "2026-11-22T10:00:00Z")
        #expect(Timestamp(iso8601: "2026-11-22T12:00:00+02:00") == t)
        #expect(Timestamp(iso8601: "2026-11-22T10:00:00.250Z")?.iso8601(fractional: true) == "2026-11-22T10:00:00.250Z")
        #expect(Timestamp(iso8601: "2024-02-29T00:00:00Z")?.iso8601() == "2024-02-29T00:00:00Z")
        for bad in ["2026-11-22", "2026-13-01T00:00:00Z", "2026-11-22T10:00:00", "2026-11-22T10:00:00Zx", "yesterday"] {
            #expect(Timestamp(iso8601: bad) == nil, "\(bad)")
        }
    }
}
