import Testing
@testable import HealthCore

@Suite struct MonitorTests {
    let t0 = Timestamp(seconds: 1_795_000_000)

    func monitor() throws -> Monitor {
        Monitor(spec: MonitorSpec(
            probes: [
                ProbeRules(name: "redis", kind: "redis", failureThreshold: 1),
                ProbeRules(name: "redis_queue", kind: "redis", degraded: [try Condition(parsing: "value > 100")]),
                ProbeRules(name: "blog", kind: "http", critical: false, failureThreshold: 1),
                ProbeRules(name: "never", kind: "tcp"),
            ],
            components: [
                ComponentRules(name: "queue", patterns: ["redis*"]),
                ComponentRules(name: "extras", patterns: ["blog"], critical: false),
            ]))
    }

    func ok(_ value: Double? = nil) -> Sample { Sample(time: t0, latencyMs: 1, value: value) }
    func failed() -> Sample { Sample(time: t0, latencyMs: 1, failure: ProbeFailure(.refused, "no")) }

    @Test func pendingProbesDoNotCount() throws {
        var m = try monitor()
        m.ingest(ok(), probe: 0)
        let s = m.snapshot(now: t0)
        #expect(s.health == .healthy)
        #expect(s.pendingCount == 3)
        #expect(s.probes[3].pending)
        #expect(s.components[0].health == .healthy)
        #expect(s.components[1].health == nil)
    }

    @Test func componentIsWorstOfItsProbes() throws {
        var m = try monitor()
        m.ingest(ok(), probe: 0)
        m.ingest(ok(150), probe: 1)
        let s = m.snapshot(now: t0)
        #expect(s.components[0].probes == ["redis", "redis_queue"])
        #expect(s.components[0].health == .degraded)
        #expect(s.components[0].reasons == ["redis_queue: value 150 > 100"])
        #expect(s.health == .degraded)
        #expect(s.reasons == ["redis_queue: value 150 > 100"])
    }

    @Test func nonCriticalCapsAtDegraded() throws {
        var m = try monitor()
        m.ingest(ok(), probe: 0)
        let changed = m.ingest(failed(), probe: 2)
        #expect(changed)
        let s = m.snapshot(now: t0)
        #expect(s.probes[2].health == .down)
        #expect(s.components[1].health == .down)
        #expect(s.health == .degraded)
    }

    @Test func criticalDownIsSystemDown() throws {
        var m = try monitor()
        m.ingest(failed(), probe: 0)
        #expect(m.snapshot(now: t0).health == .down)
    }

    @Test func staleValueWhileFailing() throws {
        var m = try monitor()
        m.ingest(Sample(time: t0, latencyMs: 1, value: 7), probe: 1)
        m.ingest(Sample(time: t0 + .seconds(30), latencyMs: 1, failure: ProbeFailure(.timeout, "slow")), probe: 1)
        let p = m.snapshot(now: t0 + .seconds(40)).probes[1]
        #expect(p.value == 7)
        #expect(p.staleFor == .seconds(40))
        #expect(p.ok == false)
    }

    @Test func snapshotShowsTheLastTimingsAndTheLastTLSSessionSeen() throws {
        var m = try monitor()
        let tls = TLSFacts(version: "TLSv1.2", cipher: "ECDHE-RSA-AES128-GCM-SHA256", subject: "CN=blog", issuer: "CN=ca",
                           dnsNames: ["blog"], notAfter: t0 + .days(60))
        let handshake = AttemptTimings(connect: 1, tls: 5, firstByte: 9, total: 10)
        m.ingest(Sample(time: t0, latencyMs: 10, tls: tls, timings: handshake), probe: 2)
        var p = m.snapshot(now: t0).probes[2]
        #expect(p.tls == tls && p.timings == handshake)
        let refused = AttemptTimings(total: 0.3)
        m.ingest(Sample(time: t0 + .seconds(10), latencyMs: 0.3, failure: ProbeFailure(.refused, "no"), timings: refused), probe: 2)
        p = m.snapshot(now: t0 + .seconds(10)).probes[2]
        #expect(p.tls == tls && p.timings == refused)
        m.ingest(Sample(time: t0 + .seconds(20), latencyMs: 0.3, failure: ProbeFailure(.refused, "no")), probe: 2)
        #expect(m.snapshot(now: t0 + .seconds(20)).probes[2].timings == nil)
        #expect(m.snapshot(now: t0).probes[0].tls == nil)
    }

    @Test func adoptKeepsHistoryOfNamedProbes() throws {
        var old = try monitor()
        old.ingest(ok(), probe: 0)
        old.ingest(ok(5), probe: 1)
        var next = Monitor(spec: MonitorSpec(probes: [
            ProbeRules(name: "redis_queue", kind: "redis"), ProbeRules(name: "redis", kind: "redis"),
        ]))
        next.adopt(from: old, probes: ["redis_queue"])
        let s = next.snapshot(now: t0)
        #expect(s.probes[0].value == 5)
        #expect(s.probes[0].windows.first?.stats.count == 1)
        #expect(s.probes[1].pending)
    }
}

@Suite struct DependencyTests {
    @Test func childOfADownParentSaysSuppressedBy() {
        var db = ProbeRules(name: "db", kind: "postgres", failureThreshold: 1)
        db.dependsOn = []
        var rate = ProbeRules(name: "success_rate", kind: "postgres", failureThreshold: 1)
        rate.dependsOn = ["db"]
        var report = ProbeRules(name: "report", kind: "http", failureThreshold: 1)
        report.dependsOn = ["success_rate"]
        var m = Monitor(spec: MonitorSpec(probes: [db, rate, report]))
        let t = Timestamp(seconds: 1_795_000_000)
        for i in 0..<3 { m.ingest(Sample(time: t, latencyMs: 1, failure: ProbeFailure(.refused, "no")), probe: i) }
        var s = m.snapshot(now: t)
        #expect(s.probes.map(\.suppressedBy) == [nil, "db", "db"], "through the chain to the root cause")
        #expect(s.json().contains("\"suppressed_by\":\"db\""))
        m.ingest(Sample(time: t + .seconds(10), latencyMs: 1), probe: 0)
        s = m.snapshot(now: t + .seconds(10))
        #expect(s.probes.map(\.suppressedBy) == [nil, nil, "success_rate"])
    }
}

@Suite struct WindowStatsCacheTests {
    /// The snapshot's window stats, cached or not, always equal the windows' own answer. A cache belongs to one
    /// monitor's owner; a copy that goes its own way keeps a cache of its own.
    @Test func cachedStatsEqualFreshOnes() {
        var m = Monitor(spec: MonitorSpec(probes: [ProbeRules(name: "p", kind: "tcp")], snapshotWindows: [.minutes(5), .hours(1), .hours(24)]))
        var t = Timestamp(seconds: 1_795_000_000)
        var cache = WindowStatsCache()
        func check(_ m: Monitor, _ now: Timestamp, _ cache: inout WindowStatsCache, _ note: String) {
            let cached = m.snapshot(now: now, cache: &cache).probes[0].windows.map(\.stats)
            let fresh = [TimeSpan.minutes(5), .hours(1), .hours(24)].map { m.entries[0].windows.stats(over: $0, now: now) }
            #expect(cached == fresh, "\(note)")
        }
        // Ten hours at one sample a minute: the ring no longer reaches back a day, so 24 h comes from a tier.
        for i in 0..<600 {
            m.ingest(Sample(time: t, latencyMs: Double(i % 37), value: Double(i), failure: i % 9 == 0 ? ProbeFailure(.timeout, "t") : nil), probe: 0)
            t = t + .minutes(1)
        }
        check(m, t, &cache, "first")
        check(m, t + .seconds(10), &cache, "same buckets, no sample: from the cache")
        check(m, t + .minutes(16), &cache, "the window moved to other buckets")
        var copy = m, copyCache = cache
        copy.ingest(Sample(time: t + .minutes(16), latencyMs: 999), probe: 0)
        check(copy, t + .minutes(16), &copyCache, "a sample in a copy")
        check(m, t + .minutes(16), &cache, "the original, after its copy changed")
        m.ingest(Sample(time: t + .minutes(16), latencyMs: 5), probe: 0)
        check(m, t + .minutes(16), &cache, "after a sample")
        m.replaceWindows(of: 0, with: ProbeWindows())
        check(m, t + .minutes(16), &cache, "after the history was replaced")
    }

    /// A window within the raw ring's reach has no slot; when the ring cannot answer it (a fast probe's 310 samples
    /// span under 5 minutes), a tier does, afresh each time.
    @Test func aShortWindowTheRingCannotAnswerIsMergedAfresh() {
        var m = Monitor(spec: MonitorSpec(probes: [ProbeRules(name: "p", kind: "tcp")], snapshotWindows: [.minutes(5), .hours(1)]))
        var t = Timestamp(seconds: 1_795_000_000), cache = WindowStatsCache()
        for i in 0..<3000 {
            m.ingest(Sample(time: t, latencyMs: Double(1 + i % 23)), probe: 0)
            t = t + .milliseconds(200)
            guard i % 500 == 499 else { continue }
            let cached = m.snapshot(now: t, cache: &cache).probes[0].windows.map(\.stats)
            #expect(cached == [.minutes(5), .hours(1)].map { m.entries[0].windows.stats(over: $0, now: t) })
            if i >= 1500 { #expect(cached[0].count > 310, "more samples than the ring holds: a tier answered") }
        }
    }
}
