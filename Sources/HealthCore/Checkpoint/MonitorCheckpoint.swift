/// What `Monitor.restore(from:)` did, for the log.
package struct CheckpointRestore: Sendable, Equatable, CustomStringConvertible {
    /// When the checkpoint was written (the `now` passed to `checkpoint`).
    package var writtenAt: Timestamp
    /// The healthd version that wrote it.
    package var writerVersion: String
    /// Probes whose windows and state came back.
    package var restored: [String]
    /// Probes in the checkpoint that are no longer configured.
    package var dropped: [String]
    /// Probes configured again under the same name but another kind: their old history does not apply, they start
    /// fresh.
    package var kindChanged: [String]
    /// The checkpoint restored from, which a journal must name to be applied.
    package var base = Journal.Base(length: 0, crc: 0)
    /// Journal records applied after the checkpoint.
    package var journalRecords = 0
    /// Where the journal's whole records end, to write on after them; nil when there is no journal for this checkpoint
    /// (a new one is started).
    package var journalEnd: Int?
    /// Why the journal was not applied, or not all of it.
    package var journalProblem: String?
    /// Whether the journal is none this healthd reads (rather than one of another checkpoint, or damaged at its end).
    package var journalUnreadable = false

    package var description: String {
        var text = "restored the history of \(restored.count) probes from a checkpoint written \(writtenAt.iso8601()) "
            + "by healthd \(writerVersion)"
        if journalRecords > 0 { text += " and \(journalRecords) journal records after it" }
        if !dropped.isEmpty { text += "; dropped \(dropped.count) no longer configured (\(Self.list(dropped)))" }
        if !kindChanged.isEmpty { text += "; \(kindChanged.count) changed kind and start fresh (\(Self.list(kindChanged)))" }
        return text
    }

    /// How far ahead of `now` the checkpoint was written, when it was: the wall clock has been set back since, and its
    /// newest samples are dated after the ones to come.
    package func writtenAhead(of now: Timestamp) -> TimeSpan? { writtenAt > now ? writtenAt - now : nil }

    /// A few names; a config rewrite can drop hundreds, which belong in no single log line.
    private static func list(_ names: [String]) -> String {
        names.count <= 5 ? names.joined(separator: ", ") : names.prefix(5).joined(separator: ", ") + ", …"
    }
}

extension Monitor {
    /// Every probe's windows and state, to survive a restart (see `Checkpoint` for the layout), in one buffer; the
    /// daemon writes it in pieces (`CheckpointStream`).
    package func checkpoint(now: Timestamp, writer version: String) -> [UInt8] {
        var stream = CheckpointStream(writer: version, at: now, probes: entries.count, reservingCapacity: checkpointCapacity)
        for entry in entries { stream.append(entry) }
        let (header, body, trailer) = stream.finish()
        return header + body + trailer
    }

    /// Room for a whole checkpoint at once: regrowing would copy the file so far each time, and at 10,000 full probes
    /// hold a few hundred MB twice. A history encodes in less than it takes in memory (varints, no padding) plus a
    /// byte per empty slot; 2 KiB covers a probe's state. Pages reserved but never written cost no memory.
    var checkpointCapacity: Int { entries.reduce(256) { $0 + $1.windows.approximateBytes + 2048 } }

    /// Puts back windows and state for the checkpoint's probes that are still configured with the same kind, then
    /// applies the records of `journal` that belong to this checkpoint (see `Journal`). The journal is read once the
    /// checkpoint is decoded and its bytes let go, so that a restart holds one of the two files at a time, not both.
    ///
    /// All or nothing for the checkpoint: it is decoded and checked whole before any probe is touched, so on a throw
    /// the monitor is unchanged. A journal record is read whole before it is applied, and one that cannot be read ends
    /// the journal there (the report says why). Probes missing from both keep what they have; history older than the
    /// retention simply ages out of the windows.
    package mutating func restore(from bytes: consuming [UInt8],
                                  journal: @autoclosure () -> [UInt8]? = nil) throws(CheckpointError) -> CheckpointRestore {
        var (pending, report) = try decodeCheckpoint(bytes)
        _ = consume bytes
        if let journal = journal() { applyJournal(journal, to: &pending, report: &report) }
        for (i, windows, state) in pending {
            entries[i].windows = windows
            entries[i].state = state
            entries[i].unsaved = entries[i].windows.saved
        }
        return report
    }

    private typealias Pending = [(index: Int, windows: ProbeWindows, state: ProbeState)]

    /// The checkpoint's records of probes configured with the same kind, and the report so far.
    private func decodeCheckpoint(_ bytes: [UInt8]) throws(CheckpointError) -> (Pending, CheckpointRestore) {
        var r = try Checkpoint.open(bytes)
        var pending: Pending = []
        var report = CheckpointRestore(writtenAt: Timestamp(nanoseconds: 0), writerVersion: "", restored: [],
                                       dropped: [], kindChanged: [])
        report.base = Journal.Base(checkpoint: bytes)!
        do throws(CheckpointError) {
            report.writerVersion = try r.readString(maxBytes: 1024)
            report.writtenAt = try r.readTimestamp()
            // Only bounds the count by the bytes at hand: a record takes far more than this.
            let count = try r.readCount(max: 10_000_000, minBytes: 64, "probe count")
            var seen = Set<String>()
            for _ in 0..<count {
                let name = try r.readString(maxBytes: 64 * 1024), kind = try r.readString(maxBytes: 64 * 1024)
                guard seen.insert(name).inserted else { throw CheckpointError.corrupt("probe \"\(name)\" twice") }
                // Days are merged once the history is in place (`Entry.windows`), after the journal.
                let windows = try ProbeWindows(decoding: &r, keepingDays: false)
                let state = try ProbeState(decoding: &r)
                // Decoded either way, so that every record is checked; only the ones that apply are kept.
                guard let i = index(of: name) else {
                    report.dropped.append(name)
                    continue
                }
                guard entries[i].rules.kind == kind else {
                    report.kindChanged.append(name)
                    continue
                }
                pending.append((i, windows, state))
                report.restored.append(name)
            }
            guard r.isAtEnd else { throw CheckpointError.corrupt("\(r.remaining) bytes after the last probe") }
        } catch .truncated {
            // The length and checksum matched, so this is no cut-off file but a record that claims more than it has.
            throw .corrupt("a record runs past the end of the checkpoint")
        }
        return (pending, report)
    }

    /// Applies the journal's records, each checked whole first, until one cannot be read. A record's probes are
    /// decoded and applied one at a time: a record decoded whole takes far more memory than its bytes.
    private func applyJournal(_ journal: [UInt8], to pending: inout Pending, report: inout CheckpointRestore) {
        let contents = Journal.read(journal, base: report.base)
        report.journalProblem = contents.problem
        report.journalUnreadable = contents.unreadable
        guard contents.applies else { return }
        report.journalEnd = contents.end
        var position = Dictionary(uniqueKeysWithValues: pending.enumerated().map { (entries[$1.index].rules.name, $0) })
        var passedOver = Set(report.dropped + report.kindChanged)
        for (start, body) in contents.records {
            let writtenAt: Timestamp
            do throws(CheckpointError) {
                var check = body
                writtenAt = try Self.readRecord(&check) { _ in }
            } catch {
                report.journalProblem = "the record at byte \(start) cannot be read (\(error.detail))"
                report.journalEnd = start
                return
            }
            var record = body
            // Read once already: cannot throw.
            _ = try? Self.readRecord(&record) { probe in
                guard let i = index(of: probe.name), entries[i].rules.kind == probe.kind else {
                    // Reported, so that a new checkpoint drops it: the journal would otherwise keep its history for a
                    // probe of that name configured again later.
                    if passedOver.insert(probe.name).inserted {
                        if index(of: probe.name) == nil { report.dropped.append(probe.name) } else { report.kindChanged.append(probe.name) }
                    }
                    return
                }
                // A probe the checkpoint lacks started empty after it (days merged once it is in place).
                let p = position[probe.name] ?? {
                    var fresh = ProbeWindows()
                    fresh.keepDays(false)
                    pending.append((i, fresh, ProbeState()))
                    report.restored.append(probe.name)
                    return pending.count - 1
                }()
                position[probe.name] = p
                if let changes = probe.changes { pending[p].windows.apply(changes) }
                pending[p].state = probe.state
            }
            report.journalRecords += 1
            report.writtenAt = max(report.writtenAt, writtenAt)
        }
    }

    private struct ProbeChanges {
        var name: String
        var kind: String
        var changes: ProbeWindows.Changes?
        var state: ProbeState
    }

    /// Reads one journal record's body, as `CheckpointStream` writes it in `.changes` mode, handing each probe's
    /// changes to `body` as they are read; returns when the record was written.
    private static func readRecord(_ r: inout ByteReader, _ body: (ProbeChanges) -> Void) throws(CheckpointError) -> Timestamp {
        do throws(CheckpointError) {
            let writtenAt = try r.readTimestamp()
            // A probe's changes take at least its name's and kind's lengths, the flag and a state.
            let count = try r.readCount(max: 10_000_000, minBytes: 16, "probe count")
            for _ in 0..<count {
                let name = try r.readString(maxBytes: 64 * 1024), kind = try r.readString(maxBytes: 64 * 1024)
                let changes = try r.readBool() ? try ProbeWindows.Changes(decoding: &r) : nil
                body(ProbeChanges(name: name, kind: kind, changes: changes, state: try ProbeState(decoding: &r)))
            }
            guard r.isAtEnd else { throw CheckpointError.corrupt("\(r.remaining) bytes after the last probe") }
            return writtenAt
        } catch .truncated {
            throw .corrupt("a probe's changes run past the end of the record")
        }
    }
}
