// ProbeWindows in a journal record: what changed since they were last saved, which applied to the windows as they
// were then gives the windows as they are (see `Journal`). A sample changes the ring, by an entry appended (and
// older ones dropped), and one bucket per tier, its own, which may be an old one for a late sample; so the changes
// are the entries appended since, and each tier's buckets from the one holding the oldest sample since.

/// What a probe's windows took in since the checkpoint or journal last saved them.
package struct UnsavedChanges: Sendable, Equatable {
    /// The oldest sample time noted since (ingested: the windows may have kept it or not); nil when none was.
    var oldest: Timestamp?
    /// The ring's `appended` when last saved.
    var ringAppended: UInt32

    mutating func note(_ time: Timestamp) { oldest = min(oldest ?? time, time) }
}

extension ProbeWindows {
    /// Nothing unsaved: the mark of these windows as they are.
    var saved: UnsavedChanges { UnsavedChanges(oldest: nil, ringAppended: ring.appended) }

    /// Everything unsaved: the mark of windows put in place whole (a reload's, a benchmark's).
    var unsavedWhole: UnsavedChanges {
        UnsavedChanges(oldest: Timestamp(nanoseconds: .min), ringAppended: ring.appended &- UInt32(ring.count))
    }

    /// The changes since `mark`, whose oldest sample is `oldest`: the newest time, the ring's entries appended since
    /// (all it holds when that is no more), and each tier's buckets from the one holding `oldest` on.
    func encodeChanges(since mark: UnsavedChanges, oldest: Timestamp, into w: inout ByteWriter) {
        w.appendOptional(newest) { $0.append($1) }
        ring.encodeChanges(appended: Int(ring.appended &- mark.ringAppended), into: &w)
        minutes.encodeChanges(from: minutes.index(of: oldest), into: &w)
        fiveMinutes.encodeChanges(from: fiveMinutes.index(of: oldest), into: &w)
        quarterHours.encodeChanges(from: quarterHours.index(of: oldest), into: &w)
        hours.encodeChanges(from: hours.index(of: oldest), into: &w)
    }

    /// A probe's changes read from a record, applied once the whole record has been read.
    struct Changes {
        var newest: Timestamp?
        var ring: RawRing.Changes
        var minutes: Tier<59>.Changes
        var fiveMinutes: Tier<123>.Changes
        var quarterHours: Tier<147>.Changes
        var hours: Tier<171>.Changes

        init(decoding r: inout ByteReader) throws(CheckpointError) {
            let shape = ProbeWindows()
            newest = try r.readOptionalTimestamp()
            ring = try RawRing.Changes(decoding: &r)
            minutes = try shape.minutes.readChanges(from: &r, name: "1m")
            fiveMinutes = try shape.fiveMinutes.readChanges(from: &r, name: "5m")
            quarterHours = try shape.quarterHours.readChanges(from: &r, name: "15m")
            hours = try shape.hours.readChanges(from: &r, name: "1h")
        }
    }

    /// Brings windows as they were when saved to what they were when `changes` were written.
    mutating func apply(_ changes: Changes) {
        // As a checkpoint's ring is read: a newest time older than its samples' is damage, the samples are still right.
        var newest = self.newest
        for time in [changes.newest] + changes.ring.entries.map(\.1) {
            if let time { newest = Swift.max(newest ?? time, time) }
        }
        self.newest = newest
        if changes.ring.replaces { ring = RawRing() }
        if let newest {
            for (entry, time, value) in changes.ring.entries { ring.append(entry, time: time, value: value, newest: newest) }
        }
        if let evicted = changes.ring.evictedThrough { ring.drop(evicted) }
        minutes.apply(changes.minutes)
        fiveMinutes.apply(changes.fiveMinutes)
        quarterHours.apply(changes.quarterHours)
        hours.apply(changes.hours)
    }
}

extension ProbeWindows.RawRing {
    /// Entries appended since the ring was saved, and whether they are all it holds (then nothing from before is left).
    struct Changes {
        var replaces: Bool
        var evictedThrough: Timestamp?
        var entries: [(Entry, Timestamp, Double?)]

        init(decoding r: inout ByteReader) throws(CheckpointError) {
            let flags = try r.readByte()
            guard flags <= 1 else { throw .corrupt("raw ring change flags \(flags)") }
            replaces = flags == 1
            evictedThrough = try r.readOptionalTimestamp()
            entries = try ProbeWindows.RawRing.readEntries(from: &r, capacity: ProbeWindows.RawRing.capacity)
        }
    }

    /// The `appended` newest entries, or every live one, flagged as replacing the ring, when that is all of them.
    func encodeChanges(appended: Int, into w: inout ByteWriter) {
        let replaces = appended >= count
        w.append(UInt8(replaces ? 1 : 0))
        w.appendOptional(evictedThrough) { $0.append($1) }
        encodeEntries(from: replaces ? 0 : count - appended, into: &w)
    }
}

extension ProbeWindows.Tier {
    /// The buckets from index `from` on, which replace the tier's own from there (see `apply`).
    struct Changes {
        var from: Int64
        var recorded: [ProbeWindows.Bucket<sketchBytes>] = []
        var packed: [ProbeWindows.PackedBucket] = []
    }

    /// `from`, then the count and every bucket whose index is `from` or above, oldest first.
    func encodeChanges(from index: Int64, into w: inout ByteWriter) {
        w.appendZigZag(index)
        let first = firstPosition(atOrAfter: index)
        let withCurrent = current.index != .min && Int64(current.index) >= index
        w.appendVarint(closed.count - first + (withCurrent ? 1 : 0))
        var previousIndex: Int64 = 0, offset = closed.usedBytes(before: first)
        for position in first..<closed.count {
            appendBucket(at: position, offset: offset, into: &w, previousIndex: &previousIndex)
            offset += closed.used(at: position)
        }
        if withCurrent { appendBucket(at: closed.count, offset: 0, into: &w, previousIndex: &previousIndex) }
    }

    /// Reads what `encodeChanges` wrote: buckets in rising index order from `from`, the newest one recorded into.
    func readChanges(from r: inout ByteReader, name: String) throws(CheckpointError) -> Changes {
        var changes = Changes(from: try r.readZigZag())
        // A bucket takes at least 5 bytes: tag, index, counts, values.
        let count = try r.readCount(max: slots, minBytes: 5, "\(name) changed bucket count")
        var previousIndex: Int64 = 0, newestIsRecorded = false
        for k in 0..<count {
            let before = previousIndex
            let bucket = try readBucket(tag: try r.readByte(), from: &r, previousIndex: &previousIndex, name: name)
            guard previousIndex >= changes.from, k == 0 || previousIndex > before else {
                throw .corrupt("\(name) changed bucket \(previousIndex) out of order")
            }
            if let bucket = bucket.recorded { changes.recorded.append(bucket) }
            if let bucket = bucket.packed { changes.packed.append(bucket) }
            newestIsRecorded = bucket.recorded != nil
        }
        guard count == 0 || newestIsRecorded else { throw .corrupt("\(name) newest bucket is packed") }
        return changes
    }
}
