import Dispatch
import Foundation
import HealthCore
import HealthSys
import Synchronization

/// What healthd keeps in `state.dir` across restarts: the checkpoint (windows and probe states, binary), its journal
/// (what changed since, a record each checkpoint interval; see `Journal`), and `state.json` (run-time silences and
/// alert progress). Writes run on a queue of their own; reads happen once, at start, before anything else runs.
final class StateStore: Sendable {
    let dir: String
    private let logger: Logger
    private let queue = DispatchQueue(label: "healthd.state")
    /// The files being written; used on `queue` only.
    private let files = Mutex(Files())
    private let checkpointBacklog = Atomic<Int>(0)
    /// Whether the journal takes records: false until a checkpoint (or the one restored) has a journal of its own,
    /// and after any write of it failed or was abandoned, until the next checkpoint.
    private let journalOpen = Atomic<Bool>(false)
    private let journalBytes = Atomic<Int>(0), checkpointBytes = Atomic<Int>(0)

    private struct Files {
        /// A checkpoint being written, put in place once whole.
        var checkpoint: AtomicFileWriter?
        /// The journal, appended to in place.
        var journal: AppendFile?
        /// Where the record being written starts in the journal.
        var recordStart: Int?
    }

    init(dir: String, logger: Logger) {
        self.dir = dir
        self.logger = logger
    }

    var checkpointPath: String { dir + "/checkpoint" }
    var journalPath: String { dir + "/checkpoint.journal" }
    var statePath: String { dir + "/state.json" }

    /// Whether the next save must be a whole checkpoint: the journal takes no records, or it has grown to the
    /// checkpoint's size (a restore would then read more of it than of the checkpoint, and a new checkpoint costs no
    /// more than the journal did) and past `journalFloor`.
    var needsCheckpoint: Bool {
        !journalOpen.load(ordering: .relaxed)
            || journalBytes.load(ordering: .relaxed) >= max(checkpointBytes.load(ordering: .relaxed), Self.journalFloor)
    }

    /// A journal this small is read in moments, whatever the checkpoint's size: a few probes' checkpoint of a few KB is
    /// not written again every few records.
    static let journalFloor = 1 << 20

    // A checkpoint or a journal record, written in pieces (see `CheckpointWriting`), all on the queue. A failed step
    // is logged and drops what it was writing: the last checkpoint stays, with its journal's whole records.

    func beginCheckpoint(_ kind: CheckpointStream.Kind, headerSize: Int) {
        step("save") { [self] files throws(SystemError) in
            files.checkpoint?.abandon()
            files.checkpoint = nil
            closeJournalRecord(&files)
            switch kind {
            case .checkpoint:
                files.checkpoint = try AtomicFileWriter(path: checkpointPath, mode: 0o640)
                try files.checkpoint?.append(repeatElement(0, count: headerSize))
            case .changes:
                guard let journal = files.journal else { return }
                files.recordStart = journal.length
                try journal.append([UInt8](repeating: 0, count: headerSize))
            }
        }
    }

    func appendCheckpoint(_ piece: [UInt8]) {
        checkpointBacklog.add(piece.count, ordering: .relaxed)
        step("save") { [self] files throws(SystemError) in
            defer { checkpointBacklog.subtract(piece.count, ordering: .relaxed) }
            try files.checkpoint?.append(piece)
            if files.recordStart != nil { try files.journal?.append(piece) }
        }
    }

    /// Checkpoint bytes handed over and not yet written.
    var checkpointBacklogBytes: Int { checkpointBacklog.load(ordering: .relaxed) }

    func finishCheckpoint(header: [UInt8], last: [UInt8], trailer: [UInt8]) {
        step("save") { [self] files throws(SystemError) in
            if let file = files.checkpoint {
                try file.append(last)
                try file.append(trailer)
                try file.write(header, at: 0)
                try file.commit()
                files.checkpoint = nil
                // Encoding it came and went through the allocator: give back what it keeps of that.
                trimMemory()
                guard let base = Journal.Base(length: file.length, trailer: trailer) else { return closeJournal(&files) }
                try startJournal(for: base, in: &files)
            } else if let journal = files.journal, let start = files.recordStart {
                try journal.append(last)
                try journal.write(header, at: start)
                try journal.sync()
                files.recordStart = nil
                journalBytes.store(journal.length, ordering: .relaxed)
            }
        }
    }

    /// Drops what is being written. A record dropped half-way leaves probes whose changes were taken and not written:
    /// the journal takes no more until the next checkpoint.
    func abandonCheckpoint() {
        step("abandon") { [self] files in
            closeJournalRecord(&files)
            files.checkpoint?.abandon()
            files.checkpoint = nil
        }
    }

    /// Goes on with the restored checkpoint's journal after its last whole record (`end`), or starts one for it when
    /// it had none that applies (nil).
    func continueJournal(of base: Journal.Base, end: Int?) {
        step("go on saving") { [self] files throws(SystemError) in
            checkpointBytes.store(Int(base.length), ordering: .relaxed)
            guard let end else { return try startJournal(for: base, in: &files) }
            files.journal = try AppendFile(path: journalPath, length: end)
            journalBytes.store(end, ordering: .relaxed)
            journalOpen.store(true, ordering: .relaxed)
        }
    }

    /// A new, empty journal for the checkpoint `base`, in place of the one before (atomically: a crash leaves the old
    /// one, which names the old checkpoint and is not applied to the new).
    private func startJournal(for base: Journal.Base, in files: inout Files) throws(SystemError) {
        closeJournal(&files)
        let header = Journal.header(for: base)
        try AtomicFile.write(header, to: journalPath, mode: 0o640)
        files.journal = try AppendFile(path: journalPath, length: header.count)
        checkpointBytes.store(Int(base.length), ordering: .relaxed)
        journalBytes.store(header.count, ordering: .relaxed)
        journalOpen.store(true, ordering: .relaxed)
    }

    /// Cuts a record being written off the journal (best effort: a reader stops at an unfinished record anyway) and
    /// closes the journal to records.
    private func closeJournalRecord(_ files: inout Files) {
        guard let start = files.recordStart else { return }
        try? files.journal?.truncate(to: start)
        closeJournal(&files)
    }

    /// Takes no more records until the next checkpoint starts a journal.
    private func closeJournal(_ files: inout Files) {
        files.recordStart = nil
        files.journal = nil
        journalOpen.store(false, ordering: .relaxed)
    }

    private func step(_ what: String, _ body: @escaping @Sendable (inout Files) throws(SystemError) -> Void) {
        queue.async { [self] in
            runsAsBackgroundWork()
            files.withLock { files in
                do throws(SystemError) { try body(&files) } catch {
                    files.checkpoint?.abandon()
                    files.checkpoint = nil
                    closeJournalRecord(&files)
                    closeJournal(&files)
                    logger.error("cannot \(what) the history in \(dir): \(error) (does state.dir exist and belong to healthd?)")
                }
            }
        }
    }

    func saveState(silences: SilenceBook, alerts: [SavedAlert]) {
        var w = JSONWriter()
        w.beginObject()
        w.field("version", 1)
        let now = Timestamp(nanoseconds: wallNanos())
        w.key("silences")
        w.beginArray()
        for s in silences.runtime { s.write(to: &w, now: now) }
        w.endArray()
        w.key("alerts")
        w.beginArray()
        for a in alerts {
            w.beginObject()
            w.field("rule", a.rule)
            w.field("kind", a.subject.kind.rawValue)
            w.field("name", a.subject.name)
            w.field("pending_since", a.pendingSince.map { Double($0.nanoseconds) })
            w.field("firing_level", a.firingLevel?.description)
            w.field("starts_at", a.startsAt.map { Double($0.nanoseconds) })
            w.field("notified", a.notified?.description)
            w.field("last_sent", a.lastSent.map { Double($0.nanoseconds) })
            w.field("flap_notified", a.flapNotified)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        write(Array(w.output.utf8), to: statePath)
    }

    /// Waits for every write handed over so far.
    func drain() async {
        await queue.drained()
    }

    /// No checkpoint is larger: 2 GiB holds some 30,000 probes with seven full days each.
    static let maxCheckpointBytes = 2 << 30

    /// The checkpoint's bytes, if there is one; one that cannot be read (or is too large to be one) is set aside.
    func loadCheckpoint() -> [UInt8]? { load(checkpointPath) }

    /// The journal's bytes, if there is one; one that cannot be read (or is larger than a checkpoint) is set aside.
    func loadJournal() -> [UInt8]? { load(journalPath) }

    private func load(_ path: String) -> [UInt8]? {
        do throws(SystemError) { return try readFileBytes(path, maxBytes: Self.maxCheckpointBytes) } catch {
            if error.errno != ENOENT { setAside(path, because: "cannot read \(path): \(error)") }
            return nil
        }
    }

    /// Moves a file that cannot be used out of the way (kept for a look), so the next start is clean.
    func setAside(_ path: String, because reason: String) {
        let aside = "\(path).bad-\(Timestamp(nanoseconds: wallNanos()).iso8601())"
        if rename(path, aside) == 0 {
            logger.warning("\(reason); set aside as \(aside)")
        } else {
            logger.warning("\(reason); could not set it aside: \(SystemError("rename", errno: errno))")
        }
    }

    /// Run-time silences and alert progress from `state.json`; a file that cannot be read is set aside.
    func loadState() -> (silences: [Silence], alerts: [SavedAlert]) {
        guard let data = FileManager.default.contents(atPath: statePath) else { return ([], []) }
        guard let doc = try? JSONSerialization.jsonObject(with: data) as? [String: Any], doc["version"] as? Int == 1 else {
            setAside(statePath, because: "\(statePath) is not a state file of this version")
            return ([], [])
        }
        let silences = (doc["silences"] as? [[String: Any]] ?? []).compactMap { s -> Silence? in
            guard let id = s["id"] as? String, let match = s["match"] as? [String],
                  let start = (s["start"] as? String).flatMap(Timestamp.init(iso8601:)),
                  let end = (s["end"] as? String).flatMap(Timestamp.init(iso8601:)) else { return nil }
            return Silence(id: id, matchers: match, schedule: .once(start: start, end: end), reason: s["reason"] as? String ?? "",
                           createdBy: s["created_by"] as? String ?? "")
        }
        func time(_ v: Any?) -> Timestamp? { (v as? Double).flatMap { Int64(exactly: $0.rounded()) }.map(Timestamp.init(nanoseconds:)) }
        func level(_ v: Any?) -> Health? { (v as? String).flatMap { t in Health.allCases.first { $0.description == t } } }
        let alerts = (doc["alerts"] as? [[String: Any]] ?? []).compactMap { a -> SavedAlert? in
            guard let rule = a["rule"] as? String, let kind = (a["kind"] as? String).flatMap(AlertSubject.Kind.init(rawValue:)),
                  let name = a["name"] as? String else { return nil }
            return SavedAlert(rule: rule, subject: AlertSubject(kind, name), pendingSince: time(a["pending_since"]),
                              firingLevel: level(a["firing_level"]), startsAt: time(a["starts_at"]), notified: level(a["notified"]),
                              lastSent: time(a["last_sent"]), flapNotified: a["flap_notified"] as? Bool ?? false)
        }
        return (silences, alerts)
    }

    private func write(_ bytes: [UInt8], to path: String) {
        queue.async { [logger] in
            do { try AtomicFile.write(bytes, to: path, mode: 0o640) } catch {
                logger.error("cannot write \(path): \(error) (does state.dir exist and belong to healthd?)")
            }
        }
    }
}
