import HealthCore
import Testing
@testable import HealthDaemon

/// A probe every second (so that it is never overdue while the tests take seconds).
func probe(_ name: String, interval: TimeSpan = .seconds(1), degraded: [Condition] = []) -> ProbeRules {
    var rules = ProbeRules(name: name, kind: "tcp", degraded: degraded)
    rules.interval = interval
    return rules
}

let ms: Int64 = 1_000_000, second: Int64 = 1_000_000_000

/// Publishing and checkpoints, on the engine's own pace.
@Suite struct EngineTests {
    /// Changes in a burst go out at most once per 100 ms, and the last of them within 100 ms.
    @Test func aBurstOfChangesIsPublishedAtMostEvery100msAndTheLastWithin100ms() async throws {
        let rig = EngineRig(probes: [probe("a", interval: .seconds(10))])
        await rig.run(.seconds(1))
        let before = rig.record.publishes.count
        var last = (at: Int64(0), time: Timestamp(nanoseconds: 0))
        // A result every 10 ms for half a second, each one a change (a refusal and a success in turn).
        for i in 0..<50 {
            rig.clock.advance(.milliseconds(10))
            await rig.report("a", i % 2 == 0 ? .fail : .ok(latencyMs: 5))
            last = (rig.elapsed.nanoseconds, rig.clock.now)
            await rig.engine.handle(.tick)
        }
        await rig.run(.milliseconds(200), tick: .milliseconds(10))
        let burst = rig.record.publishes.dropFirst(before)
        #expect((5...6).contains(burst.count), "\(burst.count) publishes for 500 ms of changes")
        for (a, b) in zip(burst, burst.dropFirst()) { #expect(b.at - a.at >= 100 * ms) }
        let final = try #require(burst.first { $0.snapshot.probes[0].lastRun == last.time })
        #expect(final.at - last.at <= 100 * ms, "the last change waited more than 100 ms")
    }

    /// Nothing changes: a snapshot still goes out every interval, and no more often.
    @Test func withoutChangesASnapshotIsPublishedEveryInterval() async {
        let rig = EngineRig(probes: [probe("a", interval: .seconds(10))], interval: .seconds(10))
        await rig.run(.seconds(45))
        let times = rig.record.publishes.map(\.at)
        #expect(times.count == 5, "\(times)")
        for (a, b) in zip(times, times.dropFirst()) { #expect((10 * second...10 * second + 100 * ms).contains(b - a)) }
    }

    /// status.html is rendered at most every 5 s while snapshots change every second, and at once
    /// when the system's health changes.
    @Test func theStatusPageIsRenderedAtMostEvery5sUnlessHealthChanges() async throws {
        let rig = EngineRig(probes: [probe("a")])
        for i in 0..<12 {
            rig.answers["a"] = i % 2 == 0 ? .ok(latencyMs: 5) : .fail
            await rig.run(.seconds(1))
        }
        let pages = rig.record.publishes.filter(\.page).map(\.at)
        #expect(rig.record.publishes.count >= 12)
        #expect(pages.count == 3, "\(pages)")
        for (a, b) in zip(pages, pages.dropFirst()) { #expect(b - a >= 5 * second) }
        rig.answers["a"] = .fail
        await rig.run(.seconds(4))
        let down = try #require(rig.record.publishes.first { $0.snapshot.health == .down })
        #expect(down.page, "the page was not rendered when the system went down")
        #expect(down.at - pages.last! < 5 * second)
    }

    /// A save every `checkpoint_interval`: a checkpoint, then journal records of what changed since, which restored
    /// after it give the probes' history.
    @Test func historyIsSavedEveryCheckpointInterval() async throws {
        let rig = EngineRig(probes: [probe("a", interval: .seconds(10))], checkpointInterval: .minutes(1))
        await rig.run(.seconds(210))
        let times = rig.record.saves.map(\.at)
        #expect(times.count == 3, "\(times)")
        for (k, t) in times.enumerated() { #expect((Int64(k + 1) * 60 * second...Int64(k + 1) * 60 * second + 100 * ms).contains(t)) }
        #expect(rig.record.saves.map(\.kind) == [.checkpoint, .changes, .changes])
        var restored = Monitor(spec: MonitorSpec(probes: [probe("a", interval: .seconds(10))]))
        let report = try restored.restore(from: rig.record.checkpoints.last!.bytes, journal: rig.record.journal)
        #expect(report.restored == ["a"] && report.journalRecords == 2)
        // The last record, at 180 s, holds the samples of 0.1 s and of every 10 s through 180 s.
        #expect(restored.entries[0].windows.stats(over: .minutes(5), now: rig.clock.now).count == 19)
    }

    /// A whole checkpoint comes again when the journal has grown to the checkpoint's size, and after a reload that
    /// keeps not every probe's history (a reload that keeps them all goes on with records); a restored journal goes on
    /// with a record.
    @Test func aCheckpointComesWhenTheJournalIsFullOrAfterAReload() async throws {
        let probes = (0..<3).map { probe("p\($0)", interval: .seconds(10)) }
        let rig = EngineRig(probes: probes, checkpointInterval: .minutes(1))
        await rig.run(.seconds(130))
        #expect(rig.record.saves.map(\.kind) == [.checkpoint, .changes])
        rig.record.journalFull = true
        await rig.run(.seconds(60))
        await rig.run(.seconds(60))
        #expect(rig.record.saves.map(\.kind) == [.checkpoint, .changes, .checkpoint, .changes])
        func reload(keeping kept: [ProbeRules]) async {
            await rig.engine.handle(.reload(EngineSetup(spec: MonitorSpec(probes: probes), epochs: [:], interval: .seconds(10), alertRules: [],
                                                        silences: [], checkpointInterval: .minutes(1)), kept: Set(kept.map(\.name))))
            await rig.run(.seconds(60))
        }
        func expectRestorable() throws {
            var restored = Monitor(spec: MonitorSpec(probes: probes))
            _ = try restored.restore(from: rig.record.checkpoints.last!.bytes, journal: rig.record.journal)
            for i in probes.indices {
                #expect(restored.entries[i].windows.stats(over: .minutes(5), now: rig.clock.now)
                        == rig.engine.monitor.entries[i].windows.stats(over: .minutes(5), now: rig.clock.now))
            }
        }
        await reload(keeping: probes)
        #expect(rig.record.saves.map(\.kind).last == .changes)
        try expectRestorable()
        await reload(keeping: Array(probes.dropFirst()))
        #expect(rig.record.saves.map(\.kind).last == .checkpoint)
        await rig.run(.seconds(60))
        #expect(rig.record.saves.map(\.kind).last == .changes)
        try expectRestorable()

        let continued = EngineRig(probes: probes, checkpointInterval: .minutes(1), journalContinues: true)
        continued.record.journal = []
        await continued.run(.seconds(70))
        #expect(continued.record.saves.map(\.kind) == [.changes])
    }

    /// A checkpoint bigger than a piece is written a piece a tick, never held whole: with pieces of 2 KiB, 20 probes
    /// with a few minutes of history take several ticks, and the file they make restores every probe.
    @Test func aLargeCheckpointIsWrittenAPieceATick() async throws {
        let probes = (0..<20).map { probe("p\($0)", interval: .seconds(1)) }
        let rig = EngineRig(probes: probes, checkpointInterval: .minutes(1), checkpointPieceBytes: 2048)
        await rig.run(.seconds(59) + .milliseconds(900))
        #expect(rig.record.checkpoints.isEmpty && rig.record.writing == nil)
        await rig.run(.milliseconds(100))
        let begun = try #require(rig.record.writing, "no checkpoint begun at 60 s")
        #expect(begun.count < 2048 * 2, "the first tick handed over more than a piece")
        // A slow disk: while a piece waits to be written, the engine encodes no more.
        rig.record.backlog = 2048
        await rig.run(.seconds(1))
        #expect(rig.record.writing?.count == begun.count, "encoded on while a piece was still being written")
        rig.record.backlog = 0
        await rig.run(.seconds(5))
        let checkpoint = try #require(rig.record.checkpoints.first)
        #expect(checkpoint.at > 60 * second + 100 * ms, "written in one tick")
        #expect(checkpoint.bytes.count > 4 * 2048)
        var restored = Monitor(spec: MonitorSpec(probes: probes))
        #expect(try restored.restore(from: checkpoint.bytes).restored.count == 20)
    }

    /// A reload half-way through a checkpoint abandons it (its probes are not the monitor's any more); the next
    /// tick begins one of the new probes, which completes.
    @Test func aReloadAbandonsTheCheckpointBeingWritten() async throws {
        let probes = (0..<20).map { probe("p\($0)", interval: .seconds(1)) }
        let rig = EngineRig(probes: probes, checkpointInterval: .minutes(1), checkpointPieceBytes: 2048)
        await rig.run(.seconds(60))
        #expect(rig.record.writing != nil)
        let fewer = Array(probes.prefix(5))
        await rig.engine.handle(.reload(EngineSetup(spec: MonitorSpec(probes: fewer), epochs: [:], interval: .seconds(10), alertRules: [],
                                                    silences: [], checkpointInterval: .minutes(1)), kept: Set(fewer.map(\.name))))
        #expect(rig.record.abandoned == 1 && rig.record.writing == nil)
        await rig.run(.seconds(2))
        let checkpoint = try #require(rig.record.checkpoints.first)
        var restored = Monitor(spec: MonitorSpec(probes: fewer))
        #expect(try restored.restore(from: checkpoint.bytes).restored == fewer.map(\.name))
    }
}

/// `for`, `repeat`, silences and restarts, each on a manual clock.
@Suite struct EngineAlertTests {
    /// The time `a` went down (its third failure in a row), from the published snapshots.
    func downAt(_ rig: EngineRig) -> Int64? { rig.record.publishes.first { $0.snapshot.health == .down }?.at }

    @Test func anAlertFiresOnlyAfterItsForHasElapsed() async throws {
        let rig = EngineRig(probes: [probe("a")], rules: [AlertRule(probes: ["a"], minLevel: .down, holdFor: .seconds(30), hooks: ["ops"])])
        await rig.run(.seconds(5))
        rig.answers["a"] = .fail
        await rig.run(.seconds(60))
        let down = try #require(downAt(rig))
        #expect(rig.notified() == ["firing:a:down"])
        let fired = try #require(rig.record.notifications.first).at
        #expect((down + 30 * second...down + 31 * second + 100 * ms).contains(fired), "fired \(Double(fired - down) / 1e9) s after down")
    }

    @Test func aFiringAlertIsRepeatedEachRepeatInterval() async throws {
        let rule = AlertRule(probes: ["a"], minLevel: .down, repeatEvery: .minutes(1), hooks: ["ops"])
        let rig = EngineRig(probes: [probe("a")], rules: [rule])
        rig.answers["a"] = .fail
        await rig.run(.seconds(150))
        #expect(rig.notified() == ["firing:a:down", "repeated:a:down", "repeated:a:down"])
        let times = rig.record.notifications.map(\.at)
        for (a, b) in zip(times, times.dropFirst()) { #expect((60 * second...61 * second + 100 * ms).contains(b - a)) }
    }

    /// A silenced alert is not told while the silence lasts, and is told within a second of its end.
    @Test func aSilencedAlertIsToldWhenItsSilenceEnds() async throws {
        let rig = EngineRig.silencedFailure(until: .minutes(2))
        await rig.run(.seconds(150))
        #expect(rig.notified() == ["firing:a:down"])
        let told = try #require(rig.record.notifications.first).at
        #expect((120 * second...121 * second + 100 * ms).contains(told), "told \(Double(told) / 1e9) s in")
    }

    /// After a restart, an alert that was firing and still is gets re-asserted quietly (for
    /// Alertmanager, which forgets what is not re-sent), not sent to everyone again.
    @Test func aRestoredFiringAlertIsReassertedQuietlyNotSentAgain() async throws {
        let rule = AlertRule(probes: ["a"], minLevel: .down, hooks: ["ops"])
        let before = EngineRig(probes: [probe("a")], rules: [rule])
        before.answers["a"] = .fail
        await before.run(.seconds(10))
        #expect(before.notified() == ["firing:a:down"])
        await before.engine.handle(.tick)
        var monitor = Monitor(spec: MonitorSpec(probes: [probe("a")]), startedAt: before.clock.now)
        _ = try monitor.restore(from: before.engine.monitor.checkpoint(now: before.clock.now, writer: "test"))
        let after = EngineRig(probes: [probe("a")], rules: [rule], saved: before.record.savedAlerts, monitor: monitor)
        after.answers["a"] = .fail
        await after.run(.seconds(10))
        #expect(after.notified() == ["quiet repeated:a:down"])
    }
}
