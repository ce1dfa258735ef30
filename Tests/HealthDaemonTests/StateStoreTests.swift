import Foundation
import Testing
@testable import HealthDaemon
@testable import HealthCore

/// What `state.dir` may hold that is no checkpoint: a file far larger than any checkpoint (sparse, so it costs no
/// disk) is set aside unread, and the daemon starts with empty history; a missing one is simply none.
@Suite struct StateStoreTests {
    @Test func anOversizedCheckpointIsSetAsideUnread() throws {
        let dir = NSTemporaryDirectory() + "healthd-state-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = StateStore(dir: dir, logger: Logger(environment: [:]))
        #expect(store.loadCheckpoint() == nil)
        #expect(FileManager.default.createFile(atPath: store.checkpointPath, contents: nil))
        #expect(truncate(store.checkpointPath, off_t(StateStore.maxCheckpointBytes) + 1) == 0)
        #expect(store.loadCheckpoint() == nil)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(left.count == 1 && left[0].hasPrefix("checkpoint.bad-"), "\(left)")
    }
}

/// The checkpoint and its journal as the store writes them: a checkpoint starts a journal, records go on after it, and
/// a restart goes on with it after its last whole record. A record abandoned half-way, or a checkpoint that cannot be
/// written, leaves the journal closed until the next checkpoint.
@Suite struct StateStoreJournalTests {
    let spec = MonitorSpec(probes: [ProbeRules(name: "a", kind: "http"), ProbeRules(name: "b", kind: "tcp")])
    var time = Timestamp(nanoseconds: 1_795_000_000 * 1_000_000_000)

    mutating func feed(_ m: inout Monitor, seconds: Int) {
        for s in 0..<seconds {
            time = time + .seconds(1)
            m.ingest(Sample(time: time, latencyMs: Double(3 + s % 17)), probe: 0)
            if s % 3 == 0 { m.ingest(Sample(time: time, latencyMs: 1, failure: ProbeFailure(.refused, "refused")), probe: 1) }
        }
    }

    /// Encodes and hands over as the engine does, a piece per probe.
    func save(_ m: inout Monitor, _ kind: CheckpointStream.Kind, to store: StateStore) async {
        var stream = CheckpointStream(kind, writer: "test", at: time, probes: m.entries.count)
        store.beginCheckpoint(kind, headerSize: stream.headerSize)
        for i in m.entries.indices {
            stream.append(m.entries[i])
            m.markSaved(i)
            store.appendCheckpoint(stream.take())
        }
        let (header, last, trailer) = stream.finish()
        store.finishCheckpoint(header: header, last: last, trailer: trailer)
        await store.drain()
    }

    func restored(from store: StateStore) throws -> (Monitor, CheckpointRestore) {
        var m = Monitor(spec: spec)
        let report = try m.restore(from: try #require(store.loadCheckpoint()), journal: store.loadJournal())
        return (m, report)
    }

    func expectSame(_ a: Monitor, _ b: Monitor) {
        for i in a.entries.indices {
            for window in [TimeSpan.minutes(5), .hours(1)] {
                #expect(a.entries[i].windows.stats(over: window, now: time) == b.entries[i].windows.stats(over: window, now: time))
            }
            #expect(a.entries[i].state == b.entries[i].state)
        }
    }

    func size(_ path: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1 }

    @Test mutating func recordsFollowTheCheckpointAndARestartGoesOnAfterThem() async throws {
        let dir = NSTemporaryDirectory() + "healthd-journal-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = StateStore(dir: dir, logger: Logger(environment: [:]))
        #expect(store.needsCheckpoint, "no journal yet")
        var m = Monitor(spec: spec)
        feed(&m, seconds: 120)
        await save(&m, .checkpoint, to: store)
        #expect(!store.needsCheckpoint && size(store.journalPath) == Journal.headerBytes)
        feed(&m, seconds: 60)
        await save(&m, .changes, to: store)
        feed(&m, seconds: 60)
        await save(&m, .changes, to: store)
        let (first, report) = try restored(from: store)
        #expect(report.journalRecords == 2 && report.journalProblem == nil && report.journalEnd == size(store.journalPath))
        expectSame(first, m)

        // A restart after a crash in the middle of a record: cut back to the records before it, then on after them.
        let whole = size(store.journalPath)
        let file = try #require(FileHandle(forWritingAtPath: store.journalPath))
        file.seekToEndOfFile()
        file.write(Data([0xE8, 0x03, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 1, 2, 3]))
        file.closeFile()
        let (afterCrash, cut) = try restored(from: store)
        #expect(cut.journalRecords == 2 && cut.journalEnd == whole && cut.journalProblem == "the record at byte \(whole) is cut off")
        let restarted = StateStore(dir: dir, logger: Logger(environment: [:]))
        restarted.continueJournal(of: cut.base, end: cut.journalEnd)
        await restarted.drain()
        #expect(size(store.journalPath) == whole && !restarted.needsCheckpoint)
        m = afterCrash
        feed(&m, seconds: 30)
        await save(&m, .changes, to: restarted)
        let (again, continued) = try restored(from: restarted)
        #expect(continued.journalRecords == 3 && continued.journalProblem == nil)
        expectSame(again, m)

        // A record abandoned half-way is cut off, and the journal takes no more until a checkpoint.
        restarted.beginCheckpoint(.changes, headerSize: Journal.recordHeaderBytes)
        restarted.appendCheckpoint([1, 2, 3])
        restarted.abandonCheckpoint()
        await restarted.drain()
        let kept = size(restarted.journalPath)
        #expect(restarted.needsCheckpoint)
        #expect(try restored(from: restarted).1.journalRecords == 3)
        await save(&m, .changes, to: restarted)
        #expect(size(restarted.journalPath) == kept, "a record went to a closed journal")
        await save(&m, .checkpoint, to: restarted)
        #expect(!restarted.needsCheckpoint && size(restarted.journalPath) == Journal.headerBytes)

        // A checkpoint that cannot be written: the journal, of the one before, takes no record.
        try FileManager.default.removeItem(atPath: dir)
        await save(&m, .checkpoint, to: restarted)
        #expect(restarted.needsCheckpoint)
    }

    /// A restored checkpoint without a journal (written by an earlier healthd) gets one of its own.
    @Test mutating func aCheckpointWithoutAJournalGetsOne() async throws {
        let dir = NSTemporaryDirectory() + "healthd-journal-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var m = Monitor(spec: spec)
        feed(&m, seconds: 90)
        let store = StateStore(dir: dir, logger: Logger(environment: [:]))
        try Data(m.checkpoint(now: time, writer: "earlier")).write(to: URL(fileURLWithPath: store.checkpointPath))
        let (restoredMonitor, report) = try restored(from: store)
        #expect(report.journalEnd == nil && report.journalProblem == nil)
        store.continueJournal(of: report.base, end: report.journalEnd)
        await store.drain()
        #expect(!store.needsCheckpoint && size(store.journalPath) == Journal.headerBytes)
        m = restoredMonitor
        feed(&m, seconds: 30)
        await save(&m, .changes, to: store)
        let (again, continued) = try restored(from: store)
        #expect(continued.journalRecords == 1)
        expectSame(again, m)
    }
}
