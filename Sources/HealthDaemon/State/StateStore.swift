import Dispatch
import Foundation
import HealthCore
import HealthSys
import Synchronization

/// What healthd keeps in `state.dir` across restarts: the checkpoint (windows and probe states,
/// binary) and `state.json` (run-time silences and alert progress). Writes are atomic and run on
/// a queue of their own; reads happen once, at start, before anything else runs.
final class StateStore: Sendable {
    let dir: String
    private let logger: Logger
    private let queue = DispatchQueue(label: "healthd.state")
    /// The checkpoint being written; used on `queue` only.
    private let checkpointFile = Mutex<AtomicFileWriter?>(nil)
    private let checkpointBacklog = Atomic<Int>(0)

    init(dir: String, logger: Logger) {
        self.dir = dir
        self.logger = logger
    }

    var checkpointPath: String { dir + "/checkpoint" }
    var statePath: String { dir + "/state.json" }

    // The checkpoint written in pieces (see `CheckpointWriting`), all on the queue; a failed step is logged and
    // drops the new file, so the last checkpoint stays.

    func beginCheckpoint(headerSize: Int) {
        checkpointStep("create") { [checkpointPath] (file: inout AtomicFileWriter?) throws(SystemError) in
            file?.abandon()
            file = try AtomicFileWriter(path: checkpointPath, mode: 0o640)
            try file?.append(repeatElement(0, count: headerSize))
        }
    }

    func appendCheckpoint(_ piece: [UInt8]) {
        checkpointBacklog.add(piece.count, ordering: .relaxed)
        checkpointStep("write") { [self] (file: inout AtomicFileWriter?) throws(SystemError) in
            defer { checkpointBacklog.subtract(piece.count, ordering: .relaxed) }
            try file?.append(piece)
        }
    }

    /// Checkpoint bytes handed over and not yet written.
    var checkpointBacklogBytes: Int { checkpointBacklog.load(ordering: .relaxed) }

    func finishCheckpoint(header: [UInt8], last: [UInt8], trailer: [UInt8]) {
        checkpointStep("write") { (file: inout AtomicFileWriter?) throws(SystemError) in
            try file?.append(last)
            try file?.append(trailer)
            try file?.write(header, at: 0)
            try file?.commit()
            file = nil
            // Encoding it came and went through the allocator: give back what it keeps of that.
            trimMemory()
        }
    }

    func abandonCheckpoint() {
        queue.async { [self] in checkpointFile.withLock { $0?.abandon(); $0 = nil } }
    }

    private func checkpointStep(_ what: String, _ step: @escaping @Sendable (inout AtomicFileWriter?) throws(SystemError) -> Void) {
        queue.async { [self] in
            runsAsBackgroundWork()
            checkpointFile.withLock { file in
                do throws(SystemError) { try step(&file) } catch {
                    file?.abandon()
                    file = nil
                    logger.error("cannot \(what) \(checkpointPath): \(error) (does state.dir exist and belong to healthd?)")
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
    func loadCheckpoint() -> [UInt8]? {
        do throws(SystemError) { return try readFileBytes(checkpointPath, maxBytes: Self.maxCheckpointBytes) } catch {
            if error.errno != ENOENT { setAside(checkpointPath, because: "cannot read \(checkpointPath): \(error)") }
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
