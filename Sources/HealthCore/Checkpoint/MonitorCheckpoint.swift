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

    package var description: String {
        var text = "restored the history of \(restored.count) probes from a checkpoint written \(writtenAt.iso8601()) "
            + "by healthd \(writerVersion)"
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

    /// Puts back windows and state for the checkpoint's probes that are still configured with the same kind.
    ///
    /// All or nothing: the whole checkpoint is decoded and checked before any probe is touched, so on a throw the
    /// monitor is unchanged. Probes missing from the checkpoint keep what they have; history older than the
    /// retention simply ages out of the windows.
    package mutating func restore(from bytes: [UInt8]) throws(CheckpointError) -> CheckpointRestore {
        var r = try Checkpoint.open(bytes)
        var pending: [(index: Int, windows: ProbeWindows, state: ProbeState)] = []
        var report = CheckpointRestore(writtenAt: Timestamp(nanoseconds: 0), writerVersion: "", restored: [],
                                       dropped: [], kindChanged: [])
        do throws(CheckpointError) {
            report.writerVersion = try r.readString(maxBytes: 1024)
            report.writtenAt = try r.readTimestamp()
            // Only bounds the count by the bytes at hand: a record takes far more than this.
            let count = try r.readCount(max: 10_000_000, minBytes: 64, "probe count")
            var seen = Set<String>()
            for _ in 0..<count {
                let name = try r.readString(maxBytes: 64 * 1024), kind = try r.readString(maxBytes: 64 * 1024)
                guard seen.insert(name).inserted else { throw CheckpointError.corrupt("probe \"\(name)\" twice") }
                let known = index(of: name)
                let windows = try ProbeWindows(decoding: &r, keepingDays: known.map { entries[$0].keepsDays } ?? false)
                let state = try ProbeState(decoding: &r)
                // Decoded either way, so that every record is checked; only the ones that apply are kept.
                guard let i = known else {
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
        for (i, windows, state) in pending {
            entries[i].windows = windows
            entries[i].state = state
        }
        return report
    }
}
