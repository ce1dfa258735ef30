import Testing
@testable import HealthCore

/// A hand-driven world for the tracker: set each subject's health, advance the clock, evaluate.
struct AlertWorld {
    var tracker: AlertTracker
    var probes: [String: Health?] = [:]
    var suppressed: [String: String] = [:]
    var flapping: Set<String> = []
    var silences: [Silence] = []
    var now = Timestamp(seconds: 1_795_000_000)

    init(_ rules: [AlertRule]) { tracker = AlertTracker(rules: rules) }

    var snapshot: Snapshot {
        let ps = probes.keys.sorted().map { name in
            ProbeSnapshot(name: name, kind: "tcp", critical: true, health: probes[name]!, since: now, lastRun: now, ok: true,
                          latencyMs: 1, value: 42, staleFor: nil, valueSource: nil, noData: false, details: nil,
                          consecutiveFailures: 0, error: nil, message: nil, reasons: ["\(name) reason"], windows: [],
                          suppressedBy: suppressed[name], flapping: flapping.contains(name))
        }
        // Every probe here is critical: the system is unknown while all of them are.
        let worst = ps.isEmpty ? Health.healthy : ps.compactMap(\.health).max()
        return Snapshot(generatedAt: now, health: worst, reasons: [], pendingCount: ps.count { $0.pending }, probes: ps,
                        components: [])
    }

    /// Advances by `seconds`, then evaluates; returns "event:subject:level" per notification.
    mutating func step(_ seconds: Int64 = 10) -> [String] {
        now = now + .seconds(seconds)
        return tracker.evaluate(snapshot, silences: silences, now: now).map {
            ($0.quiet ? "quiet " : "") + "\($0.alert.event.rawValue):\($0.alert.subject.name):\($0.alert.level)"
        }
    }
}

@Suite struct AlertTrackerTests {
    @Test func firesChangesAndResolves() {
        var w = AlertWorld([AlertRule(probes: ["db*"], hooks: ["ops"])])
        w.probes["db"] = .healthy
        #expect(w.step() == [])
        w.probes["db"] = .degraded
        #expect(w.step() == ["firing:db:degraded"])
        #expect(w.step() == [], "no repeat by default")
        w.probes["db"] = .down
        #expect(w.step() == ["changed:db:down"])
        w.probes["db"] = .healthy
        #expect(w.step() == ["resolved:db:healthy"])
        #expect(w.step() == [])
        #expect(w.tracker.tracks.isEmpty, "an alert that is over leaves nothing behind")
    }

    @Test func notificationCarriesPreviousLevelAndHooks() {
        var w = AlertWorld([AlertRule(probes: ["db"], hooks: ["ops", "am"])])
        w.probes["db"] = .degraded
        _ = w.step()
        w.probes["db"] = .down
        w.now = w.now + .seconds(10)
        let n = w.tracker.evaluate(w.snapshot, silences: [], now: w.now)
        #expect(n.count == 1)
        #expect(n[0].hooks == ["ops", "am"])
        #expect(n[0].alert.previousLevel == .degraded)
        #expect(n[0].alert.severity == "critical")
        #expect(n[0].alert.reasons == ["db reason"])
        #expect(n[0].alert.value == 42)
    }

    @Test func minLevelDownIgnoresDegraded() {
        var w = AlertWorld([AlertRule(probes: ["*"], minLevel: .down, hooks: ["x"])])
        w.probes["a"] = .degraded
        #expect(w.step() == [])
        w.probes["a"] = .down
        #expect(w.step() == ["firing:a:down"])
        w.probes["a"] = .degraded
        #expect(w.step() == ["resolved:a:healthy"], "below min_level is over for this rule")
    }

    @Test func forHoldsBeforeFiring() {
        var w = AlertWorld([AlertRule(probes: ["a"], holdFor: .seconds(60), hooks: ["x"])])
        w.probes["a"] = .down
        #expect(w.step() == [])  // t=0 of the hold
        #expect(w.step(30) == [])
        #expect(w.step(29) == [])
        #expect(w.step(1) == ["firing:a:down"])
    }

    @Test func forRestartsWhenTheStateDoesNotHold() {
        var w = AlertWorld([AlertRule(probes: ["a"], holdFor: .seconds(60), hooks: ["x"])])
        w.probes["a"] = .down
        #expect(w.step() == [])
        #expect(w.step(50) == [])
        w.probes["a"] = .healthy
        #expect(w.step(5) == [], "a blip shorter than `for` never notifies, not even resolved")
        w.probes["a"] = .down
        #expect(w.step(5) == [])
        #expect(w.step(59) == [])
        #expect(w.step(1) == ["firing:a:down"])
    }

    @Test func repeatWhileFiring() {
        var w = AlertWorld([AlertRule(probes: ["a"], repeatEvery: .minutes(5), hooks: ["x"])])
        w.probes["a"] = .down
        #expect(w.step() == ["firing:a:down"])
        #expect(w.step(299) == [])
        #expect(w.step(1) == ["repeated:a:down"])
        #expect(w.step(60) == [])
        #expect(w.step(240) == ["repeated:a:down"])
    }

    @Test func sendResolvedFalse() {
        var w = AlertWorld([AlertRule(probes: ["a"], sendResolved: false, hooks: ["x"])])
        w.probes["a"] = .down
        #expect(w.step() == ["firing:a:down"])
        w.probes["a"] = .healthy
        #expect(w.step() == ["quiet resolved:a:healthy"], "only for hooks that keep state (Alertmanager)")
        w.probes["a"] = .down
        #expect(w.step() == ["firing:a:down"], "fires again after a silent resolve")
    }

    @Test func pendingProbeDoesNotFire() {
        var w = AlertWorld([AlertRule(probes: ["a"], hooks: ["x"])])
        w.probes["a"] = .some(nil)
        #expect(w.step() == [])
    }

    @Test func componentAndSystemSubjects() {
        var w = AlertWorld([AlertRule(system: true, minLevel: .down, hooks: ["x"])])
        w.probes["a"] = .down
        #expect(w.step() == ["firing:system:down"])
    }

    @Test func silenceMutesAndOwesTheNotificationWhenItEnds() {
        var w = AlertWorld([AlertRule(probes: ["a*"], hooks: ["x"])])
        let start = w.now
        w.silences = [Silence(id: "s1", matchers: ["a*"], schedule: .once(start: start, end: start + .seconds(100)),
                              reason: "maintenance", createdBy: "config")]
        w.probes["ab"] = .down
        #expect(w.step() == [], "silenced: evaluated but not notified")
        let firing = w.tracker.firing(w.snapshot, silences: w.silences, now: w.now)
        #expect(firing.map(\.silencedBy) == ["s1"], "shown as firing, silenced")
        #expect(w.step(50) == [])
        #expect(w.step(40) == ["firing:ab:down"], "the silence ended while it still fires")
    }

    @Test func resolvedDuringSilenceIsToldAfterIt() {
        var w = AlertWorld([AlertRule(probes: ["a"], hooks: ["x"])])
        w.probes["a"] = .down
        #expect(w.step() == ["firing:a:down"])
        w.silences = [Silence(id: "s", matchers: ["a"], schedule: .once(start: w.now, end: w.now + .seconds(30)),
                              reason: "", createdBy: "test")]
        w.probes["a"] = .healthy
        #expect(w.step() == [])
        #expect(w.step(30) == ["resolved:a:healthy"])
    }

    @Test func firedAndResolvedInsideASilenceIsNeverTold() {
        var w = AlertWorld([AlertRule(probes: ["a"], hooks: ["x"])])
        w.silences = [Silence(id: "s", matchers: ["*"], schedule: .once(start: w.now, end: w.now + .seconds(60)),
                              reason: "", createdBy: "test")]
        w.probes["a"] = .down
        #expect(w.step() == [])
        w.probes["a"] = .healthy
        #expect(w.step() == [])
        #expect(w.step(60) == [])
    }

    @Test func suppressedByParentIsHeldBack() {
        var w = AlertWorld([AlertRule(probes: ["*"], hooks: ["x"])])
        w.probes["db"] = .down
        w.probes["report"] = .down
        w.suppressed["report"] = "db"
        #expect(w.step() == ["firing:db:down"], "only the cause is notified")
        w.probes["db"] = .healthy
        w.suppressed["report"] = nil
        #expect(w.step() == ["resolved:db:healthy", "firing:report:down"], "a child still down once its parent is back is told")
    }

    @Test func flappingAlertsOnceThenWaitsToSettle() {
        var w = AlertWorld([AlertRule(probes: ["a"], hooks: ["x"])])
        w.probes["a"] = .down
        #expect(w.step() == ["firing:a:down"])
        w.flapping = ["a"]
        w.probes["a"] = .healthy
        #expect(w.step() == ["flapping:a:down"])
        for h in [Health.down, .healthy, .down, .healthy] {
            w.probes["a"] = h
            #expect(w.step() == [], "quiet while flapping")
        }
        w.flapping = []
        #expect(w.step() == ["resolved:a:healthy"], "settled: the receivers learn where it ended")
    }

    @Test func aSubjectThatIsGoneIsResolved() {
        var w = AlertWorld([AlertRule(probes: ["*"], hooks: ["x"])])
        w.probes["a"] = .down
        #expect(w.step() == ["firing:a:down"])
        w.probes["a"] = nil  // removed from the config
        #expect(w.step() == ["resolved:a:healthy"])
        #expect(w.tracker.tracks.isEmpty)
    }

    @Test func restoredFiringAlertsAreReassertedQuietlyOnce() {
        var w = AlertWorld([AlertRule(probes: ["a"], hooks: ["am"])])
        w.probes["a"] = .down
        #expect(w.step() == ["firing:a:down"])
        var restarted = AlertTracker(rules: w.tracker.rules)
        restarted.restore(w.tracker.saved)
        w.tracker = restarted
        #expect(w.step() == ["quiet repeated:a:down"], "Alertmanager hears it again; the others do not")
        #expect(w.step() == [])
    }

    @Test func reloadKeepsTracksOfUnchangedRules() {
        let rule = AlertRule(probes: ["a"], hooks: ["x"])
        var w = AlertWorld([rule])
        w.probes["a"] = .down
        #expect(w.step() == ["firing:a:down"])
        w.tracker.replaceRules([AlertRule(probes: ["b"], hooks: ["y"]), rule])
        #expect(w.step() == [], "an unchanged rule does not fire again after a reload")
        w.tracker.replaceRules([AlertRule(probes: ["a"], hooks: ["other"])])
        #expect(w.step() == ["firing:a:down"], "a changed rule starts over")
    }
}
