import Testing
@testable import HealthCore

/// The evaluator against a hand-driven timeline: one sample every 10 s from t0, no sleeping.
struct Timeline {
    var rules: ProbeRules
    var windows = ProbeWindows()
    var state = ProbeState()
    var now = Timestamp(seconds: 1_795_000_000)

    init(_ rules: ProbeRules) { self.rules = rules }

    @discardableResult
    mutating func ok(value: Double? = nil, latency: Double = 5, reported: Health = .healthy, tls: TLSFacts? = nil) -> Health? {
        feed(Sample(time: now, latencyMs: latency, value: value, reportedHealth: reported, message: "msg", tls: tls))
    }

    /// A certificate that expires `span` after the next sample.
    func cert(expiringIn span: TimeSpan) -> TLSFacts {
        TLSFacts(version: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", subject: "CN=api", issuer: "CN=ca", dnsNames: ["api"],
                 notAfter: now + span)
    }

    @discardableResult
    mutating func fail(_ category: FailureCategory = .refused) -> Health? {
        feed(Sample(time: now, latencyMs: 1, failure: ProbeFailure(category, "boom")))
    }

    private mutating func feed(_ s: Sample) -> Health? {
        windows.record(s)
        state.apply(s, rules: rules, windows: windows)
        now = now + .seconds(10)
        return state.health
    }
}

@Suite struct ProbeStateTests {
    @Test func pendingUntilFirstSample() {
        let t = Timeline(ProbeRules(name: "p", kind: "tcp"))
        #expect(t.state.health == nil)
    }

    @Test func failureThresholdThenSuccessThreshold() {
        var t = Timeline(ProbeRules(name: "p", kind: "tcp", failureThreshold: 3, successThreshold: 2))
        #expect(t.ok() == .healthy)
        #expect(t.fail() == .healthy)
        #expect(t.fail() == .healthy)
        #expect(t.fail() == .down)
        #expect(t.state.reasons == ["down after 3 consecutive failures (refused: boom)"])
        #expect(t.ok() == .down)  // one success is not enough to leave down
        #expect(t.state.reasons == ["recovering: 1 of 2 successes"])
        #expect(t.fail() == .down)
        #expect(t.ok() == .down)
        #expect(t.ok() == .healthy)
        #expect(t.state.reasons.isEmpty)
    }

    @Test func sinceMarksTheTransition() {
        var t = Timeline(ProbeRules(name: "p", kind: "tcp", failureThreshold: 1))
        t.ok()
        let downAt = t.now
        t.fail()
        t.fail()
        #expect(t.state.since == downAt)
    }

    @Test func conditionsDownBeforeDegraded() throws {
        let rules = ProbeRules(name: "q", kind: "redis",
                               degraded: [try Condition(parsing: "value > 100")],
                               down: [try Condition(parsing: "value > 1000")])
        var t = Timeline(rules)
        #expect(t.ok(value: 50) == .healthy)
        #expect(t.ok(value: 150) == .degraded)
        #expect(t.state.reasons == ["value 150 > 100"])
        #expect(t.ok(value: 1500) == .down)
        #expect(t.state.reasons == ["value 1500 > 1000"])
        #expect(t.ok(value: 10) == .healthy)
    }

    @Test func hysteresisHoldsTheWorseLevel() throws {
        let rules = ProbeRules(name: "q", kind: "redis", successThreshold: 3,
                               degraded: [try Condition(parsing: "value > 100")])
        var t = Timeline(rules)
        t.ok(value: 150)
        #expect(t.ok(value: 90) == .degraded)
        #expect(t.ok(value: 90) == .degraded)
        #expect(t.ok(value: 150) == .degraded)  // streak broken
        #expect(t.ok(value: 90) == .degraded)
        #expect(t.ok(value: 90) == .degraded)
        #expect(t.ok(value: 90) == .healthy)
    }

    @Test func windowedConditionsQuoteTheirNumbers() throws {
        let rules = ProbeRules(name: "api", kind: "http", failureThreshold: 100,
                               degraded: [try Condition(parsing: "error_rate(1h) > 2%")],
                               down: [try Condition(parsing: "error_rate(1h) > 50%")])
        var t = Timeline(rules)
        for _ in 0..<9 { t.ok() }
        #expect(t.fail() == .degraded)
        #expect(t.state.reasons == ["error_rate(1h) 10% > 2%"])
        for _ in 0..<10 { t.fail() }
        #expect(t.state.health == .down)
    }

    @Test func latencyQuantileCondition() throws {
        let rules = ProbeRules(name: "api", kind: "http", degraded: [try Condition(parsing: "latency.p95(5m) > 500ms")])
        var t = Timeline(rules)
        for _ in 0..<10 { t.ok(latency: 100) }
        #expect(t.state.health == .healthy)
        for _ in 0..<20 { t.ok(latency: 900) }
        #expect(t.state.health == .degraded)
        #expect(t.state.reasons.first?.hasPrefix("latency.p95(5m) ") == true)
        #expect(t.state.reasons.first?.hasSuffix("ms > 500ms") == true)
    }

    @Test func reportedHealthFromTheCheck() {
        var t = Timeline(ProbeRules(name: "disk", kind: "exec"))
        #expect(t.ok(reported: .degraded) == .degraded)
        #expect(t.state.reasons == ["check reports degraded: msg"])
        #expect(t.ok(reported: .down) == .down)
        #expect(t.ok() == .healthy)
    }

    @Test func noDataIsNotAViolation() throws {
        let rules = ProbeRules(name: "q", kind: "redis", degraded: [try Condition(parsing: "value < 1")])
        var t = Timeline(rules)
        #expect(t.ok(value: nil) == .healthy)
    }

    @Test func lastGoodValueSurvivesFailures() {
        var t = Timeline(ProbeRules(name: "q", kind: "prometheus"))
        t.ok(value: 42)
        t.fail(.timeout)
        #expect(t.state.lastGoodValue == 42)
        #expect(t.state.consecutiveFailures == 1)
    }

    @Test(arguments: [
        ("cert.expires_in < 30d", "cert.expires_in 19.8d < 30d"),
        ("cert.expires_in < 500h", "cert.expires_in 475.2h < 500h"),
        ("cert.expires_in <= 28512m", "cert.expires_in 28512m <= 28512m"),
        ("cert.expires_in < 2000000s", "cert.expires_in 1710720s < 2000000s"),
        ("cert.expires_in < 2000000000ms", "cert.expires_in 1710720000ms < 2000000000ms"),
    ])
    func certExpiryReasonInTheConditionsUnit(condition: String, reason: String) throws {
        var t = Timeline(ProbeRules(name: "api", kind: "http", degraded: [try Condition(parsing: condition)]))
        #expect(t.ok(tls: t.cert(expiringIn: .seconds(1_710_720))) == .degraded)  // 19.8 days
        #expect(t.state.reasons == [reason])
    }

    @Test func expiredCertificateCountsNegative() throws {
        var t = Timeline(ProbeRules(name: "api", kind: "http", down: [try Condition(parsing: "cert.expires_in < 1d")]))
        #expect(t.ok(tls: t.cert(expiringIn: .hours(-36))) == .down)
        #expect(t.state.reasons == ["cert.expires_in -1.5d < 1d"])
    }

    @Test func certExpiryWithoutTLSFactsIsNoData() throws {
        let rules = ProbeRules(name: "api", kind: "http", degraded: [try Condition(parsing: "cert.expires_in < 30d"),
                                                                     try Condition(parsing: "cert.expires_in > 1d")])
        var t = Timeline(rules)
        #expect(t.ok() == .healthy)
        #expect(t.state.reasons.isEmpty && t.state.lastTLS == nil)
    }

    @Test func lastKnownCertificateOutlivesFailuresBeforeTheHandshake() throws {
        let rules = ProbeRules(name: "api", kind: "http", failureThreshold: 3,
                               degraded: [try Condition(parsing: "cert.expires_in < 30d")])
        var t = Timeline(rules)
        let cert = t.cert(expiringIn: .days(20))
        t.ok(tls: cert)
        #expect(t.fail() == .degraded)
        #expect(t.state.lastSample?.tls == nil && t.state.lastTLS == cert)
        #expect(t.state.reasons == ["cert.expires_in 20d < 30d"])  // 20 d − 10 s, to one decimal
        // A renewed certificate replaces it at the next handshake.
        #expect(t.ok(tls: t.cert(expiringIn: .days(90))) == .healthy)
        #expect(t.state.lastTLS?.notAfter == t.now - .seconds(10) + .days(90))
    }

    @Test func timeReasonsKeepTheirDigitsForMsAndSAndOneDecimalForLongerUnits() throws {
        var t = Timeline(ProbeRules(name: "api", kind: "http", degraded: [
            try Condition(parsing: "latency > 1s"), try Condition(parsing: "latency > 1m"), try Condition(parsing: "value > 500ms"),
            try Condition(parsing: "value > 1h"),
        ]))
        #expect(t.ok(value: 4321.2345, latency: 91_234.5678) == .degraded)
        #expect(t.state.reasons == ["latency 91.235s > 1s", "latency 1.5m > 1m", "value 4321234.5ms > 500ms", "value 1.2h > 1h"])
    }

    @Test func deltaComparesWithThePast() throws {
        let rules = ProbeRules(name: "q", kind: "redis", degraded: [try Condition(parsing: "value.delta(5m) > 50")])
        var t = Timeline(rules)
        for _ in 0..<40 { t.ok(value: 100) }
        #expect(t.state.health == .healthy)
        #expect(t.ok(value: 200) == .degraded)
        #expect(t.state.reasons == ["value.delta(5m) 100 > 50"])
    }
}
