import Foundation
@testable import HealthCore
import Testing

/// A checkpoint and the journal records written after it restore what the probes held at the last record: the same
/// windows, series and state as the history kept live, whatever the samples did in between (late ones, pauses longer
/// than a tier keeps, a clock set back, more samples than the ring holds between two records).
@Suite struct JournalTests {
    static let start = CheckpointTests.now - .hours(10)

    static let spec = MonitorSpec(probes: [
        ProbeRules(name: "steady", kind: "http"),
        ProbeRules(name: "late", kind: "redis"),
        ProbeRules(name: "gappy", kind: "postgres"),
        ProbeRules(name: "idle", kind: "tcp"),
    ])

    /// A monitor fed one second at a time, saved the way the engine saves it: the checkpoint, then records.
    struct Run {
        var monitor = Monitor(spec: JournalTests.spec)
        var rng = Lcg(state: 11)
        var time = JournalTests.start
        var checkpoint: [UInt8] = []
        var journal: [UInt8] = []
        /// After each record: where it ends in the journal, the monitor then, and its time.
        var saved: [(end: Int, monitor: Monitor, at: Timestamp)] = []

        /// `seconds` seconds of samples: steady and late every second (late's every 7th dated 90 s or 20 min back),
        /// gappy only outside its pauses.
        mutating func feed(seconds: Int, gappyPaused: Bool = false) {
            for _ in 0..<seconds {
                time = time + .seconds(1)
                let latency = 2 + Double(rng.next() % 5000) / 41
                let failed = rng.next() % 23 == 0
                monitor.ingest(Sample(time: time, latencyMs: latency, value: failed ? nil : Double(rng.next() % 300),
                                      failure: failed ? ProbeFailure(.timeout, "timed out") : nil), probe: 0)
                let back: TimeSpan = switch rng.next() % 7 { case 0: .seconds(90); case 1: .minutes(20); default: .seconds(0) }
                monitor.ingest(Sample(time: time - back, latencyMs: latency * 1.5), probe: 1)
                if !gappyPaused { monitor.ingest(Sample(time: time, latencyMs: latency / 2, value: 7), probe: 2) }
            }
        }

        /// Encodes every probe, as `kind`, the first `split` of them, then `between` seconds of samples, then the rest
        /// (the engine encodes a piece a tick while results come in).
        mutating func save(_ kind: CheckpointStream.Kind, split: Int? = nil, between: Int = 0) {
            var stream = CheckpointStream(kind, writer: "test", at: time, probes: monitor.entries.count)
            for i in monitor.entries.indices {
                if i == split { feed(seconds: between) }
                stream.append(monitor.entries[i])
                monitor.markSaved(i)
            }
            let (header, last, trailer) = stream.finish()
            if kind == .checkpoint {
                checkpoint = header + last + trailer
                journal = Journal.header(for: Journal.Base(checkpoint: checkpoint)!)
            } else {
                journal += header + last
            }
            saved.append((journal.count, monitor, time))
        }

        /// What a restart from the checkpoint and the journal's first `end` bytes restores.
        func restored(journalUpTo end: Int? = nil, spec: MonitorSpec = JournalTests.spec) throws -> (Monitor, CheckpointRestore) {
            var m = Monitor(spec: spec)
            let report = try m.restore(from: checkpoint, journal: Array(journal.prefix(end ?? journal.count)))
            return (m, report)
        }
    }

    /// `seconds` of samples, the checkpoint, then `records` records a minute apart.
    static func run(checkpointAfter seconds: Int, records: Int) -> Run {
        var run = Run()
        run.feed(seconds: seconds)
        run.save(.checkpoint)
        for _ in 0..<records {
            run.feed(seconds: 60)
            run.save(.changes)
        }
        return run
    }

    static func expectSame(_ restored: Monitor, _ live: Monitor, now: Timestamp) {
        for i in live.entries.indices { CheckpointTests.expectSameHistory(restored.entries[i], live.entries[i], now: now) }
    }

    /// Ten hours: records a minute apart (the ring appended to), ten minutes apart (the ring replaced), across an
    /// hour-long pause of one probe, a clock set back by two hours, and records encoded while samples came in.
    static func longRun() -> Run {
        var run = Self.run(checkpointAfter: 3600, records: 30)
        for k in 0..<12 {
            run.feed(seconds: 600, gappyPaused: (3..<9).contains(k))
            run.save(.changes, split: 2, between: k % 3 == 0 ? 5 : 0)
        }
        run.time = run.time - .hours(2)
        for _ in 0..<3 {
            run.feed(seconds: 1800)
            run.save(.changes, split: 1, between: 30)
        }
        run.feed(seconds: 45)
        run.save(.changes)
        return run
    }

    @Test func theCheckpointAndItsRecordsRestoreTheLiveHistory() throws {
        let run = Self.longRun()
        let (restored, report) = try run.restored()
        #expect(report.journalRecords == run.saved.count - 1 && report.journalProblem == nil)
        #expect(report.journalEnd == run.journal.count && report.restored == Self.spec.probes.map(\.name))
        // The latest time a record was written at: before the clock was set back.
        #expect(report.writtenAt == run.saved.map(\.at).max())
        Self.expectSame(restored, run.monitor, now: run.time)
        // Restored windows go on being saved as records from where they are.
        var again = run
        again.monitor = restored
        again.feed(seconds: 90)
        again.save(.changes)
        Self.expectSame(try again.restored().0, again.monitor, now: again.time)
    }

    /// A journal cut anywhere (a crash while a record was written) restores the records before the cut, and says
    /// where they end, for the writer to go on from there.
    @Test func aJournalCutOffRestoresTheRecordsBeforeTheCut() throws {
        let run = Self.run(checkpointAfter: 1200, records: 4)
        for k in [1, 3] {
            let (end, live, at) = run.saved[k]
            let next = run.saved[k + 1].end
            for cut in [end, end + 1, end + Journal.recordHeaderBytes, (end + next) / 2, next - 1] {
                let (restored, report) = try run.restored(journalUpTo: cut)
                #expect(report.journalRecords == k && report.journalEnd == end, "cut at \(cut)")
                #expect((report.journalProblem != nil) == (cut != end), "cut at \(cut): \(report.journalProblem ?? "")")
                Self.expectSame(restored, live, now: at)
            }
        }
    }

    /// A damaged record ends the journal there; one that names another checkpoint, or is no journal, is not applied.
    @Test func aJournalThatDoesNotFitIsNotApplied() throws {
        let run = Self.run(checkpointAfter: 600, records: 2)
        let firstEnd = run.saved[1].end
        var damaged = run
        damaged.journal[firstEnd + Journal.recordHeaderBytes + 40] ^= 0x10
        let (restored, report) = try damaged.restored()
        #expect(report.journalRecords == 1 && report.journalEnd == firstEnd)
        #expect(report.journalProblem == "the record at byte \(firstEnd) fails its checksum")
        Self.expectSame(restored, run.saved[1].monitor, now: run.saved[1].at)

        var other = run
        other.journal.replaceSubrange(18..<22, with: [0, 0, 0, 0])
        let (base, unrelated) = try other.restored()
        #expect(unrelated.journalRecords == 0 && unrelated.journalEnd == nil)
        #expect(unrelated.journalProblem == "it belongs to an earlier checkpoint")
        #expect(!unrelated.journalUnreadable && !report.journalUnreadable)
        Self.expectSame(base, run.saved[0].monitor, now: run.saved[0].at)

        for junk in [[UInt8](), Array("HDJRNL".utf8), Array("not a journal at all".utf8)] {
            var garbage = run
            garbage.journal = junk
            let report = try garbage.restored().1
            #expect(report.journalRecords == 0 && report.journalEnd == nil && report.journalProblem != nil && report.journalUnreadable)
        }
    }

    /// A record whose framing holds but whose content does not (a writer's bug, a crafted file) is not applied, nor
    /// is anything after it; the records before it are.
    @Test func aRecordThatCannotBeReadEndsTheJournal() throws {
        let run = Self.run(checkpointAfter: 600, records: 1)
        let end = run.saved[1].end
        for body in [[UInt8](repeating: 0xFF, count: 40), Array(run.journal[(Journal.headerBytes + Journal.recordHeaderBytes)...].dropLast())] {
            var crafted = run
            crafted.journal += Journal.record(body: body)
            crafted.feed(seconds: 60)
            crafted.save(.changes)
            let (restored, report) = try crafted.restored()
            #expect(report.journalRecords == 1 && report.journalEnd == end)
            #expect(report.journalProblem?.hasPrefix("the record at byte \(end) cannot be read") == true, "\(report.journalProblem ?? "")")
            Self.expectSame(restored, run.monitor, now: run.time)
        }
    }

    /// A probe the checkpoint lacks (added since) is restored from its records alone; records of a probe no longer
    /// configured, or configured as another kind, are passed over.
    @Test func recordsOfProbesTheCheckpointLacksStartThemAfresh() throws {
        var run = Self.run(checkpointAfter: 600, records: 0)
        // The checkpoint as a config without "gappy" would have written it.
        var without = Monitor(spec: MonitorSpec(probes: Self.spec.probes.filter { $0.name != "gappy" }))
        _ = try without.restore(from: run.checkpoint)
        run.checkpoint = without.checkpoint(now: run.time, writer: "test")
        run.journal = Journal.header(for: Journal.Base(checkpoint: run.checkpoint)!)
        run.monitor.replaceWindows(of: 2, with: ProbeWindows())
        run.monitor.markSaved(2)
        run.feed(seconds: 300)
        run.save(.changes)
        let (restored, report) = try run.restored()
        #expect(report.restored == ["steady", "late", "idle", "gappy"])
        Self.expectSame(restored, run.monitor, now: run.time)

        let renamed = MonitorSpec(probes: [ProbeRules(name: "steady", kind: "tcp"), ProbeRules(name: "late", kind: "redis")])
        let (other, otherReport) = try run.restored(spec: renamed)
        // "gappy", in the journal only, is reported too: a new checkpoint must drop it from the history kept.
        #expect(otherReport.restored == ["late"] && otherReport.kindChanged == ["steady"] && otherReport.dropped == ["idle", "gappy"])
        #expect(other.entries[0].windows.stats(over: .hours(1), now: run.time).count == 0)
        CheckpointTests.expectSameHistory(other.entries[1], run.monitor.entries[1], now: run.time)
    }
}
