import Testing
@testable import HealthCore

/// Time arithmetic holds at Int64's ends instead of trapping: its operands come from config, the socket,
/// checkpoints and the clock.
@Suite struct TimeArithmeticTests {
    static let max = Timestamp(nanoseconds: .max), min = Timestamp(nanoseconds: .min)
    static let forever = TimeSpan(nanoseconds: .max), never = TimeSpan(nanoseconds: .min)

    @Test(arguments: [
        (max, forever, Int64.max), (max, TimeSpan.seconds(1), .max), (min, never, .min), (min, .seconds(-1), .min),
        (Timestamp(seconds: 1_795_000_000), .seconds(1), 1_795_000_001_000_000_000),
    ])
    func addingSaturates(t: Timestamp, d: TimeSpan, nanos: Int64) {
        #expect((t + d).nanoseconds == nanos)
    }

    @Test func subtractingSaturates() {
        #expect((Self.min - TimeSpan.seconds(1)).nanoseconds == .min)
        #expect((Self.max - Self.never).nanoseconds == .max)
        #expect((Self.max - Self.min).nanoseconds == .max)
        #expect((Self.min - Self.max).nanoseconds == .min)
        #expect((Timestamp(seconds: 10) - Timestamp(seconds: 4)) == .seconds(6))
    }

    @Test func scalingAndSummingSpansSaturate() {
        #expect((TimeSpan.days(36_500) * 1000).nanoseconds == .max)
        #expect((TimeSpan.days(36_500) * -1000).nanoseconds == .min)
        #expect((Self.never * -1).nanoseconds == .max)
        #expect((TimeSpan.seconds(10) * 3) == .seconds(30))
        #expect((Self.forever + .seconds(1)).nanoseconds == .max)
        #expect((Self.never + .seconds(-1)).nanoseconds == .min)
    }

    @Test func theEndsOfTimeCanBeWritten() {
        #expect(Self.max.iso8601(fractional: true) == "2262-04-11T23:47:16.854Z")
        #expect(Self.min.iso8601(fractional: true) == "1677-09-21T00:12:43.145Z")
        #expect(Timestamp(nanoseconds: -1).iso8601(fractional: true) == "1969-12-31T23:59:59.999Z")
    }

    @Test func weeklySilencesAtTheEndsOfTime() {
        let everyDay = Silence(id: "w", matchers: ["*"], schedule: .weekly(days: Set(0...6), start: .hours(23), duration: .days(7)),
                               reason: "", createdBy: "test")
        #expect(everyDay.isActive(at: Self.max - .seconds(1)))
        #expect(!everyDay.isActive(at: Self.min), "before the first occurrence time can hold")
        #expect(everyDay.isActive(at: Timestamp(iso8601: "2026-11-22T10:00:00Z")!))
    }

    @Test func theLongestWaitOnAParentSaturates() {
        var parent = ProbeRules(name: "db", kind: "postgres", failureThreshold: .max)
        parent.interval = .days(36_525)
        #expect(parent.timeToDown.nanoseconds == .max)
        #expect(ProbeRules(name: "db", kind: "postgres").timeToDown == .seconds(32))
    }

    /// A silence near the end of representable time, an alert rule with the longest `for` and `repeat`:
    /// evaluated without a trap, and the silence holds to its (saturated) end.
    @Test func alertingNearTheEndOfTime() {
        let rule = AlertRule(probes: ["*"], holdFor: Self.forever, repeatEvery: Self.forever, hooks: ["x"])
        var tracker = AlertTracker(rules: [rule])
        let late = Timestamp(iso8601: "2261-12-31T00:00:00Z")!
        let silence = Silence(id: "s", matchers: ["*"], schedule: .once(start: late, end: late + .days(366)), reason: "",
                              createdBy: "test")
        #expect(silence.isActive(at: Self.max - .seconds(1)))
        let down = ProbeSnapshot(name: "a", kind: "tcp", critical: true, health: .down, since: Self.min, lastRun: Self.max,
                                 ok: false, latencyMs: 1, value: nil, staleFor: nil, valueSource: nil, noData: false,
                                 details: nil, consecutiveFailures: 3, error: nil, message: nil, reasons: [], windows: [],
                                 suppressedBy: nil, flapping: false)
        for now in [late, late + .days(1), Self.max - .seconds(1)] {
            let s = Snapshot(generatedAt: now, health: .down, reasons: [], pendingCount: 0, probes: [down], components: [])
            #expect(tracker.evaluate(s, silences: [silence], now: now).isEmpty)
        }
    }
}
