import Testing
@testable import HealthCore

/// A shared outage: `app` depends on `db`, both fail. Whichever reaches its threshold first, only the parent's alert
/// is sent; a child waits while its parent is failing but not down, or has not run since the child's trouble began.
/// Monitor and tracker driven together on an injected clock, evaluated every second as the engine does.
struct OutageWorld {
    /// Results per probe: (seconds from t0, ok).
    var db: [(Double, Bool)]
    var app: [(Double, Bool)]
    /// What `db` answers when the tracker asks for it to be run out of turn (0.1 s later); nil: it never answers.
    var onDemand: Bool? = nil
    var appThreshold = 2

    let t0 = Timestamp(seconds: 1_795_000_000)

    /// Notifications as "seconds event:probe:level", and the out-of-turn runs asked for as "seconds probe".
    func run(until end: Double) -> (sent: [String], runs: [String]) {
        var dbRules = ProbeRules(name: "db", kind: "postgres", failureThreshold: 3)
        (dbRules.interval, dbRules.timeout) = (.seconds(10), .seconds(2))  // waited on for at most 3 × 10 s + 2 s
        var appRules = ProbeRules(name: "app", kind: "http", failureThreshold: appThreshold)
        appRules.dependsOn = ["db"]
        var monitor = Monitor(spec: MonitorSpec(probes: [dbRules, appRules], snapshotWindows: []))
        var tracker = AlertTracker(rules: [AlertRule(probes: ["*"], hooks: ["ops"])])
        var results = db.map { ($0.0, 0, $0.1) } + app.map { ($0.0, 1, $0.1) }
        var sent: [String] = [], runs: [String] = []
        var t = 0.0
        while t <= end {
            let due = results.filter { $0.0 <= t }
            results.removeAll { $0.0 <= t }
            for (at, probe, ok) in due.sorted(by: { $0.0 < $1.0 }) {
                let time = t0 + TimeSpan(nanoseconds: Int64(at * 1e9))
                monitor.ingest(ok ? Sample(time: time, latencyMs: 1) : Sample(time: time, latencyMs: 1, failure: ProbeFailure(.refused, "no")),
                               probe: probe)
            }
            let now = t0 + TimeSpan(nanoseconds: Int64(t * 1e9))
            for n in tracker.evaluate(monitor.snapshot(now: now), silences: [], now: now) {
                sent.append("\(formatNumber(t)) \(n.alert.event.rawValue):\(n.alert.subject.name):\(n.alert.level)")
            }
            for parent in tracker.parentRuns {
                runs.append("\(formatNumber(t)) \(parent)")
                if let onDemand { results.append((t + 0.1, 0, onDemand)) }
            }
            // The next second, or a result before it.
            t = min((t + 1).rounded(.down), results.map(\.0).filter { $0 > t }.min() ?? .infinity)
        }
        return (sent, runs)
    }

    /// Every 10 s from `first`, failing from `failFrom` on (and healthy again from `okFrom`).
    static func every10s(from first: Double, failFrom: Double, okFrom: Double = .infinity, through end: Double = 200) -> [(Double, Bool)] {
        stride(from: first, through: end, by: 10).map { ($0, $0 < failFrom || $0 >= okFrom) }
    }
}

@Suite struct DependencyHoldTests {
    /// The outage begins at t = 10 for both.
    @Test(arguments: [
        // app fails at 11, 21: down at 21, while db has failed once (15). db is down at 35.
        ("the child reaches its threshold first", 2, 5.0, "35 firing:db:down"),
        // db fails at 15, 25, 35: down at 35; app fails at 11 … 41: down at 41, under a parent already down.
        ("the parent reaches its threshold first", 4, 5.0, "35 firing:db:down"),
        // db fails at 10, 20, 30: down at 30, before the child's first failure counts.
        ("the parent fails first", 2, 0.0, "30 firing:db:down"),
    ])
    func onlyTheParentIsNotified(order: String, appThreshold: Int, dbFirst: Double, sent: String) {
        var world = OutageWorld(db: OutageWorld.every10s(from: dbFirst, failFrom: 10),
                                app: OutageWorld.every10s(from: 1, failFrom: 10))
        world.appThreshold = appThreshold
        #expect(world.run(until: 200).sent == [sent], "\(order)")
    }

    @Test func theChildFiresOnceItsParentProvesHealthy() {
        // db fails at 15, 25 (short of its 3), recovers at 35; app is down from 21 and stays down.
        let world = OutageWorld(db: OutageWorld.every10s(from: 5, failFrom: 10, okFrom: 30),
                                app: OutageWorld.every10s(from: 1, failFrom: 10))
        #expect(world.run(until: 100).sent == ["35 firing:app:down"])
    }

    @Test func aParentThatHasNotRunSinceIsRunNow() {
        // db is fine throughout, but its last result (15) predates app's trouble (down at 21): it is run at once.
        var world = OutageWorld(db: OutageWorld.every10s(from: 5, failFrom: .infinity),
                                app: OutageWorld.every10s(from: 1, failFrom: 10))
        world.onDemand = true
        let (sent, runs) = world.run(until: 100)
        #expect(runs == ["21 db"])
        #expect(sent == ["21.1 firing:app:down"], "fired as soon as the parent answered, not at its next turn (25)")
    }

    @Test func aParentFoundFailingOnDemandHoldsTheChildUntilItIsDown() {
        // db was fine at 15; asked at 21, it fails, and fails again at its turns 25 and 35: down at 35.
        var world = OutageWorld(db: OutageWorld.every10s(from: 5, failFrom: 20), app: OutageWorld.every10s(from: 1, failFrom: 10))
        world.onDemand = false
        let (sent, runs) = world.run(until: 100)
        #expect(runs == ["21 db"])
        #expect(sent == ["35 firing:db:down"])
    }

    @Test func aWedgedParentHoldsTheChildAtMostItsTimeToDown() {
        // db fails once at 15 and is never heard of again; app is down at 21 and waits 3 × 10 s + 2 s.
        let world = OutageWorld(db: [(5, true), (15, false)], app: OutageWorld.every10s(from: 1, failFrom: 10))
        #expect(world.run(until: 100).sent == ["53 firing:app:down"])
    }

    @Test func aParentThatNeverAnswersOnDemandHoldsTheChildAtMostItsTimeToDown() {
        let world = OutageWorld(db: [(5, true)], app: OutageWorld.every10s(from: 1, failFrom: 10))
        let (sent, runs) = world.run(until: 100)
        #expect(sent == ["53 firing:app:down"])
        #expect(runs.first == "21 db" && runs.last == "52 db", "asked again each round while it has not answered")
    }

    @Test func aProbeWithoutParentsFiresAtOnce() {
        var monitor = Monitor(spec: MonitorSpec(probes: [ProbeRules(name: "solo", kind: "tcp", failureThreshold: 1)], snapshotWindows: []))
        var tracker = AlertTracker(rules: [AlertRule(probes: ["*"], hooks: ["ops"])])
        let now = Timestamp(seconds: 1_795_000_000)
        monitor.ingest(Sample(time: now, latencyMs: 1, failure: ProbeFailure(.refused, "no")), probe: 0)
        #expect(tracker.evaluate(monitor.snapshot(now: now), silences: [], now: now).map(\.alert.event) == [.firing])
        #expect(tracker.parentRuns.isEmpty)
    }
}
