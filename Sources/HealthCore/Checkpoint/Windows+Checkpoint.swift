// ProbeWindows in a checkpoint: the newest time, the raw ring, then the four tiers finest first, each bucket in slot
// order. Each tier and the ring also record their geometry (step, slots, sketch bytes), which must match this build's:
// changing the geometry needs a new `Checkpoint.formatVersion`, and the check catches a forgotten bump.
//
// Compactness comes from what the data is like: times as zigzag varints relative to something near (the previous
// ring entry, the bucket's start), bucket indices relative to the previous bucket's, never-used slots as one byte,
// and a bucket's value min / max / sum stored only where they differ from its last value (one sample: one double).
extension ProbeWindows {
    func encode(into w: inout ByteWriter) {
        w.appendOptional(newest) { $0.append($1) }
        ring.encode(into: &w)
        minutes.encode(into: &w)
        fiveMinutes.encode(into: &w)
        quarterHours.encode(into: &w)
        hours.encode(into: &w)
    }

    /// `keepingDays`: whether the probe keeps merged days (see `keepDays`), merged here from the restored hours.
    init(decoding r: inout ByteReader, keepingDays: Bool = true) throws(CheckpointError) {
        self.init()
        keepDays(keepingDays)
        newest = try r.readOptionalTimestamp()
        try ring.decode(from: &r, newest: newest)
        try minutes.decode(from: &r, name: "1m")
        try fiveMinutes.decode(from: &r, name: "5m")
        try quarterHours.decode(from: &r, name: "15m")
        try hours.decode(from: &r, name: "1h")
        mergeCompleteDays()
    }
}

extension ProbeWindows.RawRing {
    /// A raw sample's flags byte in the checkpoint.
    private static let okFlag: UInt8 = 1, valueFlag: UInt8 = 2

    func encode(into w: inout ByteWriter) {
        w.appendVarint(Self.capacity)
        w.appendOptional(evictedThrough) { $0.append($1) }
        encodeEntries(from: 0, into: &w)
    }

    /// The count of live entries from the `first`-th (oldest arrival first), then each: flags, time from the one
    /// before, latency, value.
    func encodeEntries(from first: Int, into w: inout ByteWriter) {
        w.appendVarint(count - first)
        var previous: Int64 = 0
        forEach(from: first) { time, entry, value in
            w.append((entry.ok ? Self.okFlag : 0) | (value == nil ? 0 : Self.valueFlag))
            w.appendZigZag(time.nanoseconds &- previous)
            previous = time.nanoseconds
            w.append(entry.latencyMs)
            if let value { w.append(value) }
        }
    }

    /// Fills this empty ring, of a probe whose newest sample is at `newest`. Entries come oldest arrival first; up to format 2
    /// they came in storage order, the oldest at a stored position once full. Whatever lies beyond the reach (all
    /// 384 samples were kept, whatever their age, up to format 2) or the capacity (384 up to format 3) is dropped as if
    /// it had aged out here.
    mutating func decode(from r: inout ByteReader, newest: Timestamp?) throws(CheckpointError) {
        let capacity = r.version >= 4 ? Self.capacity : Self.formerCapacity
        let storedCapacity = try r.readVarint()
        guard storedCapacity == UInt64(capacity) else {
            throw .corrupt("raw ring of \(storedCapacity) samples, this build keeps \(capacity)")
        }
        let storedNext = r.version >= 3 ? 0 : try r.readInt(max: capacity - 1, "raw ring position")
        let storedEvictedThrough = try r.readOptionalTimestamp()
        let stored = try Self.readEntries(from: &r, capacity: capacity)
        let count = stored.count
        // A ring that is not full was never overwritten: it appends from slot 0.
        guard r.version >= 3 || count == capacity || (storedNext == 0 && storedEvictedThrough == nil) else {
            throw .corrupt("raw ring of \(count) samples has wrapped")
        }
        // A file whose newest time is older than its samples' is damaged, but its samples are still what they say.
        let newest = stored.reduce(newest) { max($0 ?? $1.1, $1.1) }
        for i in 0..<count {
            let (entry, time, value) = stored[(storedNext + i) % count]
            append(entry, time: time, value: value, newest: newest!)
        }
        if let storedEvictedThrough { drop(storedEvictedThrough) }
    }

    /// Entries as `encodeEntries` wrote them, at most `capacity`, with their times and values.
    static func readEntries(from r: inout ByteReader, capacity: Int) throws(CheckpointError) -> [(Entry, Timestamp, Double?)] {
        // Entries take at least 6 bytes: flags, time, latency.
        let count = try r.readCount(max: capacity, minBytes: 6, "raw ring length")
        var stored: [(Entry, Timestamp, Double?)] = []
        stored.reserveCapacity(count)
        var previous: Int64 = 0
        for _ in 0..<count {
            let flags = try r.readByte()
            guard flags & ~(okFlag | valueFlag) == 0 else { throw .corrupt("raw sample flags \(flags)") }
            previous = previous &+ (try r.readZigZag())
            let latencyMs = try r.readFloat()
            let value = flags & valueFlag != 0 ? try r.readDouble() : nil
            let time = try ByteReader.time(previous)
            stored.append((Entry(time: time, latencyMs: Double(latencyMs), ok: flags & okFlag != 0), time, value))
        }
        return stored
    }
}

extension ProbeWindows.Tier {
    private static var emptyTag: UInt8 { 0 }
    private static var bucketTag: UInt8 { 1 }
    /// From format 3: a closed bucket whose bins the tier kept packed, written as they are (see `PackedBins`).
    private static var packedTag: UInt8 { 2 }

    func encode(into w: inout ByteWriter) {
        w.appendVarint(UInt64(step.nanoseconds))
        w.appendVarint(slots)
        w.appendVarint(sketchBytes)
        // Slot by slot, as format 2 laid the tier out: the bucket of index i is in slot i mod slots. Closed buckets are
        // rebuilt one at a time, from their position and arena offset; position `closed.count` is the current one.
        func slot(_ index: Int32) -> Int { Int((Int64(index) % Int64(slots) + Int64(slots)) % Int64(slots)) }
        var bySlot = [(position: Int, offset: Int)?](repeating: nil, count: slots)
        var offset = 0
        for (position, stored) in closed.enumerated() {
            bySlot[slot(stored.index)] = (position, offset)
            offset += Int(stored.used)
        }
        if current.index != .min { bySlot[slot(current.index)] = (closed.count, 0) }
        var previousIndex: Int64 = 0
        for held in bySlot {
            guard let held else {
                w.append(Self.emptyTag)
                continue
            }
            appendBucket(at: held.position, offset: held.offset, into: &w, previousIndex: &previousIndex)
        }
    }

    /// Writes the closed bucket at `position`, its sketch at `offset` in the arena, or `current` at `closed.count`: tag,
    /// index (from `previousIndex`), counts and values, then its sketch's bins packed as the tier keeps them, or its stream.
    func appendBucket(at position: Int, offset: Int, into w: inout ByteWriter, previousIndex: inout Int64) {
        func appendStart(_ tag: UInt8, index: Int32, count: UInt32, failures: UInt32, values: ProbeWindows.ValueSummary) {
            w.append(tag)
            w.appendZigZag(Int64(index) - previousIndex)
            previousIndex = Int64(index)
            w.appendVarint(UInt64(count))
            w.appendVarint(UInt64(failures))
            values.encode(into: &w, bucketStart: Int64(index) &* step.nanoseconds)
        }
        if position < closed.count, case let stored = closed[position], stored.isPacked {
            appendStart(Self.packedTag, index: stored.index, count: stored.count, failures: stored.failures,
                        values: closedValues.isEmpty ? ProbeWindows.ValueSummary() : closedValues[position])
            w.append(stored.storedLevel & ~ProbeWindows.StoredBucket.packedFlag)
            w.appendVarint(Int(stored.lowestKey))
            w.appendVarint(Int(stored.used))
            w.append(bytes: arena[offset..<offset + Int(stored.used)])
        } else {
            let bucket = position == closed.count ? current : bucket(at: position, offset: offset)
            appendStart(Self.bucketTag, index: bucket.index, count: bucket.count, failures: bucket.failures, values: bucket.values)
            bucket.latency.encode(into: &w)
        }
    }

    /// Fills this tier, created with the current geometry, in place.
    mutating func decode(from r: inout ByteReader, name: String) throws(CheckpointError) {
        let storedStep = try r.readVarint(), storedSlots = try r.readVarint(), sketch = try r.readVarint()
        let slots = Int64(self.slots)
        guard storedStep == UInt64(step.nanoseconds), storedSlots == UInt64(slots), sketch == UInt64(sketchBytes) else {
            throw .corrupt("\(name) tier of \(storedSlots) × \(storedStep) ns buckets with \(sketch)-byte sketches, "
                           + "this build keeps \(slots) × \(step.nanoseconds) ns with \(sketchBytes)")
        }
        var previousIndex: Int64 = 0
        var recorded: [ProbeWindows.Bucket<sketchBytes>] = [], packed: [ProbeWindows.PackedBucket] = []
        for slot in 0..<self.slots {
            let tag = try r.readByte()
            guard tag != Self.emptyTag else { continue }
            let bucket = try readBucket(tag: tag, from: &r, previousIndex: &previousIndex, name: name)
            // Slots are addressed by index modulo their number, so a bucket elsewhere would never be found.
            guard (previousIndex % slots + slots) % slots == Int64(slot) else {
                throw .corrupt("\(name) bucket \(previousIndex) in slot \(slot)")
            }
            if let bucket = bucket.recorded { recorded.append(bucket) }
            if let bucket = bucket.packed { packed.append(bucket) }
        }
        recorded.sort { $0.index < $1.index }
        packed.sort { $0.header.index < $1.header.index }
        // The newest bucket is the one recorded into, which is never packed.
        guard let newest = recorded.popLast() else {
            if packed.isEmpty { return }
            throw .corrupt("\(name) tier has no bucket being recorded into")
        }
        if let last = packed.last, last.header.index > newest.index { throw .corrupt("\(name) newest bucket is packed") }
        install(recorded: recorded, packed: packed, newest: newest)
    }
}


extension ProbeWindows.Tier {
    /// Reads a bucket whose `tag` was read, its index relative to `previousIndex`, which it then becomes: one recorded
    /// into (a sketch) or one closed with packed bins. A pair of optionals, not an enum: Swift 6.3 crashes compiling an
    /// enum whose payload has a value-generic parameter.
    func readBucket(tag: UInt8, from r: inout ByteReader, previousIndex: inout Int64,
                    name: String) throws(CheckpointError) -> (recorded: ProbeWindows.Bucket<sketchBytes>?, packed: ProbeWindows.PackedBucket?) {
        guard tag == Self.bucketTag || tag == Self.packedTag && r.version >= 3 else { throw .corrupt("\(name) bucket tag \(tag)") }
        let index = previousIndex &+ (try r.readZigZag())
        guard let index32 = Int32(exactly: index) else { throw .corrupt("\(name) bucket \(index)") }
        previousIndex = index
        // Capped well below UInt32.max, so that recording on into the bucket cannot overflow.
        let count = UInt32(try r.readInt(max: Int(Int32.max), "\(name) bucket sample count"))
        let failures = UInt32(try r.readInt(max: Int(count), "\(name) bucket failure count"))
        let values = try ProbeWindows.ValueSummary(decoding: &r, bucketStart: index &* step.nanoseconds, samples: Int(count))
        guard tag == Self.bucketTag else {
            let (storedLevel, lowestKey, stream) = try PackedBins.read(from: &r, latencies: Int(count - failures), name)
            let header = ProbeWindows.StoredBucket(index: index32, count: count, failures: failures, lowestKey: lowestKey,
                                                   used: stream.count, storedLevel: storedLevel | ProbeWindows.StoredBucket.packedFlag)
            return (nil, ProbeWindows.PackedBucket(header: header, values: values, stream: stream))
        }
        var bucket = ProbeWindows.Bucket<sketchBytes>(index: index32)
        (bucket.count, bucket.failures, bucket.values) = (count, failures, values)
        bucket.latency = try LatencySketch(decoding: &r, expectedCount: Int(count - failures))
        return (bucket, nil)
    }
}

extension ProbeWindows.ValueSummary {
    private static let minIsLast: UInt8 = 1, maxIsLast: UInt8 = 2, sumIsLast: UInt8 = 4

    func encode(into w: inout ByteWriter, bucketStart: Int64) {
        w.appendVarint(UInt64(count))
        guard count > 0 else { return }  // an empty summary is always the initial one
        // Bit patterns, so that −0.0 and NaN payloads are not taken for equal and lost.
        let flags = (min.bitPattern == last.bitPattern ? Self.minIsLast : 0)
            | (max.bitPattern == last.bitPattern ? Self.maxIsLast : 0)
            | (sum.bitPattern == last.bitPattern ? Self.sumIsLast : 0)
        w.append(flags)
        w.append(last)
        if flags & Self.minIsLast == 0 { w.append(min) }
        if flags & Self.maxIsLast == 0 { w.append(max) }
        if flags & Self.sumIsLast == 0 { w.append(sum) }
        w.appendZigZag(lastTime.nanoseconds &- bucketStart)
    }

    init(decoding r: inout ByteReader, bucketStart: Int64, samples: Int) throws(CheckpointError) {
        self.init()
        count = UInt32(try r.readInt(max: samples, "bucket value count"))
        guard count > 0 else { return }
        let flags = try r.readByte()
        guard flags & ~(Self.minIsLast | Self.maxIsLast | Self.sumIsLast) == 0 else {
            throw .corrupt("bucket value flags \(flags)")
        }
        last = try r.readDouble()
        min = flags & Self.minIsLast != 0 ? last : try r.readDouble()
        max = flags & Self.maxIsLast != 0 ? last : try r.readDouble()
        sum = flags & Self.sumIsLast != 0 ? last : try r.readDouble()
        lastTime = try ByteReader.time(bucketStart &+ (try r.readZigZag()))
    }
}
