/// A mergeable, uniformly collapsing latency sketch (UDDSketch-style) stored inline in `capacity` bytes.
///
/// It starts at α₀ = 0.24 % relative accuracy; whenever a new bin would not fit it halves its resolution (merges
/// every pair of adjacent bins, γ → γ²), up to level 3 with α = 1.92 %, so every quantile keeps the same, known
/// accuracy (`relativeAccuracy`) however wide the data. Only beyond level 3, for data wider than the capacity can hold
/// at that resolution, are the lowest bins folded upwards as DDSketch does, which keeps the upper quantiles but can
/// overestimate lower ones (`hasFoldedLowestBins`).
///
/// Non-empty bins form a sorted byte stream of (key gap, count) entries, one byte each in the common cases: a header
/// byte 0ccccccc is gap 1 and count 1 … 127 (127 means "128 + a LEB128 varint that follows"); 1gggcccc is gap 2 … 8
/// (7 means "9 + varint") and count 1 … 15 (15 means "16 + varint"), gap varint first. The first entry's gap counts
/// from `lowestKey − 1`. The capacity is a generic parameter so the bytes live inside the owning bucket: a heap buffer
/// per bucket would cost ~40 bytes of overhead each.
package struct LatencySketch<let capacity: Int>: Sendable, Equatable {
    var used: UInt16 = 0
    var lowestKey: UInt16 = 0  // the first entry's key
    var storedLevel: UInt8 = 0  // the collapse level; its top bit records that lowest bins were folded
    var bytes = InlineArray<capacity, UInt8>(repeating: 0)

    /// An empty sketch; `capacity` must hold two worst-case entries (24 bytes) so that an insert always fits.
    package init() {
        precondition(capacity >= SketchEntryEncoder.maxBytes && capacity <= Int(UInt16.max), "unsupported capacity")
    }

    /// Number of latencies recorded.
    package var count: Int {
        var total = 0
        forEachBin { total += $1 }
        return total
    }

    /// The relative error bound of every quantile (of those below folded bins, see `hasFoldedLowestBins`): α of
    /// the current collapse level, from 0.24 % when empty or narrow up to 1.92 %.
    package var relativeAccuracy: Double { LatencyScale.accuracies[level] }

    /// Whether the data was too wide even for the coarsest level, so that the lowest bins were folded into the
    /// next: quantiles from the lowest remaining bin down can then be overestimated.
    package var hasFoldedLowestBins: Bool { storedLevel & 0x80 != 0 }

    /// Records one latency in ms; zero and negative ones are kept as 0.
    package mutating func add(_ latencyMs: Double) { add(key: LatencyScale.key(for: latencyMs)) }

    /// Records one latency by its level-0 key, for callers that feed several sketches the same latency.
    mutating func add(key: Int) { insert(key: key, level: 0, count: 1) }

    /// Halves the resolution until it is at least `level`: a sketch kept for long needs no finer bins than the
    /// accuracy its windows promise, and coarser bins take fewer bytes.
    mutating func coarsen(toLevel target: Int) {
        while level < min(target, LatencyScale.maxLevel) { collapse() }
    }

    /// Adds every latency recorded in `other`, at the coarser of the two levels.
    package mutating func merge<let otherCapacity: Int>(_ other: LatencySketch<otherCapacity>) {
        if other.hasFoldedLowestBins { storedLevel |= 0x80 }
        other.forEachBin { insert(key: $0, level: other.level, count: $1) }
    }

    /// The latency at rank ⌊q · (count − 1)⌋ within `relativeAccuracy`; nil if empty.
    package func quantile(_ q: Double) -> Double? {
        var histogram = LatencyHistogram()
        histogram.add(self)
        return histogram.quantile(q)
    }

    package static func == (a: Self, b: Self) -> Bool {
        // The encoding is canonical, so equal bins at equal levels ⇔ equal bytes.
        a.storedLevel == b.storedLevel && a.used == b.used && a.lowestKey == b.lowestKey
            && (0..<Int(a.used)).allSatisfy { a.bytes[$0] == b.bytes[$0] }
    }

    /// The collapse level: keys are level-0 keys coarsened by this many levels.
    var level: Int { Int(storedLevel & 0x7F) }

    /// Calls `body(key, count)` for every non-empty bin, lowest key first; keys are at `level`.
    func forEachBin(_ body: (Int, Int) -> Void) {
        forEachSketchBin(bytes.span.extracting(0..<Int(used)), lowestKey: Int(lowestKey), body)
    }

    /// A sketch holding a stream that `used`, `lowestKey` and `storedLevel` of another one describe (a stored copy).
    init(storedLevel: UInt8, lowestKey: UInt16, stream: Span<UInt8>) {
        self.init()
        (self.storedLevel, self.lowestKey, used) = (storedLevel, lowestKey, UInt16(stream.count))
        for i in 0..<stream.count { bytes[i] = stream[i] }
    }

    /// A sketch holding the bins of a packed stream (see `PackedBins`) that `lowestKey` and `storedLevel` describe,
    /// `total` latencies in all: a closed bucket's, rebuilt inline. It takes the bytes it took before it was packed.
    init(storedLevel: UInt8, lowestKey: UInt16, packed stream: Span<UInt8>, total: Int) {
        self.init()
        (self.storedLevel, self.lowestKey) = (storedLevel, lowestKey)
        var write = 0, previousKey = Int(lowestKey) - 1
        PackedBins.forEach(stream, lowestKey: Int(lowestKey), total: total) { key, count in
            var encoder = SketchEntryEncoder(previousKey: previousKey)
            encoder.append(key: key, count: count)
            for i in 0..<encoder.count { bytes[write + i] = encoder.bytes[i] }
            (write, previousKey) = (write + encoder.count, key)
        }
        used = UInt16(write)
    }

    /// Adds `count` to the bin of `key`, a key at `keyLevel`, coarsening either side to the coarser level first.
    private mutating func insert(key: Int, level keyLevel: Int, count: Int) {
        while level < keyLevel { collapse() }
        var key = LatencyScale.coarsen(key, by: level - keyLevel)
        while true {
            let (previousKey, previousEnd, next) = neighbours(of: key)
            // The first entry counts its gap from lowestKey − 1, so a new lowest key re-bases the stream.
            var encoder = SketchEntryEncoder(previousKey: previousEnd == 0 ? key - 1 : previousKey)
            if let next, next.key == key {
                encoder.append(key: key, count: next.count + count)
            } else {
                encoder.append(key: key, count: count)
                if let next { encoder.append(key: next.key, count: next.count) }
            }
            if replace(previousEnd..<(next?.end ?? previousEnd), with: encoder) {
                if previousEnd == 0 { lowestKey = UInt16(key) }
                return
            }
            // Full: halve the resolution everywhere, which keeps every quantile within the coarser level's α.
            if level < LatencyScale.maxLevel {
                collapse()
                key = LatencyScale.coarsen(key, by: 1)
                continue
            }
            // Last resort, as in DDSketch: give up resolution at the bottom. A key below every bin joins the lowest
            // one, otherwise the lowest bin folds into the next. Folding removes a bin, and one bin plus any new
            // entry fits in `capacity`, so this terminates.
            storedLevel |= 0x80
            if previousEnd == 0, let next, key < next.key { key = next.key } else { foldLowestBin() }
        }
    }

    /// Where `key` belongs in the stream (see `Span.neighbours`).
    private func neighbours(of key: Int) -> (previousKey: Int, previousEnd: Int, next: SketchEntry?) {
        bytes.span.extracting(0..<Int(used)).neighbours(of: key, lowestKey: Int(lowestKey))
    }

    /// Moves to the next level in place: keys k become ⌈k / 2⌉, merging pairs of bins. No entry grows (a gap can only
    /// shrink, and a merged entry is never longer than the two it replaces), so writes never overtake reads.
    private mutating func collapse() {
        let oldUsed = Int(used)
        var read = 0, write = 0
        var previousOldKey = Int(lowestKey) - 1
        var pending = (key: LatencyScale.coarsen(Int(lowestKey), by: 1), count: 0)
        var writer = SketchEntryEncoder(previousKey: pending.key - 1)
        while read < oldUsed {
            let entry = bytes.span.extracting(0..<oldUsed).entry(at: read, after: previousOldKey)
            (read, previousOldKey) = (entry.end, entry.key)
            let key = LatencyScale.coarsen(entry.key, by: 1)
            if key != pending.key {
                flush(pending, with: &writer, at: &write)
                pending = (key, 0)
            }
            pending.count += entry.count
        }
        if oldUsed > 0 { flush(pending, with: &writer, at: &write) }
        used = UInt16(write)
        lowestKey = UInt16(LatencyScale.coarsen(Int(lowestKey), by: 1))
        storedLevel += 1
    }

    private mutating func flush(_ bin: (key: Int, count: Int), with writer: inout SketchEntryEncoder, at write: inout Int) {
        writer.count = 0
        writer.append(key: bin.key, count: bin.count)
        for i in 0..<writer.count { bytes[write + i] = writer.bytes[i] }
        write += writer.count
    }

    /// Folds the lowest bin into the next one. The merged entry is never longer than the two it replaces.
    private mutating func foldLowestBin() {
        let (first, second) = bytes.span.lowestTwoEntries(lowestKey: Int(lowestKey))
        var encoder = SketchEntryEncoder(previousKey: second.key - 1)
        encoder.append(key: second.key, count: first.count + second.count)
        let shrunk = replace(0..<second.end, with: encoder)
        assert(shrunk)
        lowestKey = UInt16(second.key)
    }

    /// Splices `encoder`'s bytes in place of `range`; returns false, changing nothing, if the result would not fit.
    private mutating func replace(_ range: Range<Int>, with encoder: SketchEntryEncoder) -> Bool {
        let oldUsed = Int(used), shift = encoder.count - range.count
        guard oldUsed + shift <= capacity else { return false }
        if shift > 0 {
            for i in stride(from: oldUsed - 1, through: range.upperBound, by: -1) { bytes[i + shift] = bytes[i] }
        } else if shift < 0 {
            for i in range.upperBound..<oldUsed { bytes[i + shift] = bytes[i] }
        }
        for i in 0..<encoder.count { bytes[range.lowerBound + i] = encoder.bytes[i] }
        used = UInt16(oldUsed + shift)
        return true
    }
}

/// Calls `body(key, count)` for every bin of a sketch's encoded stream, lowest key first.
func forEachSketchBin(_ stream: Span<UInt8>, lowestKey: Int, _ body: (Int, Int) -> Void) {
    var entry = SketchEntry(key: lowestKey - 1, count: 0, end: 0)
    while entry.end < stream.count {
        entry = stream.entry(at: entry.end, after: entry.key)
        body(entry.key, entry.count)
    }
}

/// One decoded bin of a sketch's byte stream.
private struct SketchEntry {
    var key: Int
    var count: Int
    var end: Int  // offset just past the entry
}

// Decoding reads through a `Span` so that no copy of the sketch's inline bytes is made, not even in debug builds.
private extension Span<UInt8> {
    /// The entry at `offset`, whose key is `previousKey` plus its gap.
    func entry(at offset: Int, after previousKey: Int) -> SketchEntry {
        // Offsets stay below the sketch's `used` bytes, all written by `SketchEntryEncoder`.
        let header = self[unchecked: offset]
        var end = offset + 1
        if header < 0x80 {
            let count = header == 0x7F ? 128 + varint(end: &end) : Int(header) + 1
            return SketchEntry(key: previousKey + 1, count: count, end: end)
        }
        let gapField = (header >> 4) & 0x07, countField = header & 0x0F
        let gap = gapField == 7 ? 9 + varint(end: &end) : Int(gapField) + 2
        let count = countField == 15 ? 16 + varint(end: &end) : Int(countField) + 1
        return SketchEntry(key: previousKey + gap, count: count, end: end)
    }

    /// Where `key` belongs: the key and end offset of the last entry below it (`lowestKey − 1` and 0 if none) and
    /// the entry after that, if any. The hot loop of `add`, so it skips one-byte entries without a full decode.
    func neighbours(of key: Int, lowestKey: Int) -> (previousKey: Int, previousEnd: Int, next: SketchEntry?) {
        var previousKey = lowestKey - 1, offset = 0
        while offset < count {
            let header = self[unchecked: offset]
            let entry = header < 0x7F
                ? SketchEntry(key: previousKey + 1, count: Int(header) + 1, end: offset + 1)
                : entry(at: offset, after: previousKey)
            if entry.key >= key { return (previousKey, offset, entry) }
            (previousKey, offset) = (entry.key, entry.end)
        }
        return (previousKey, offset, nil)
    }

    /// The first two entries; the stream must hold at least two.
    func lowestTwoEntries(lowestKey: Int) -> (SketchEntry, SketchEntry) {
        let first = entry(at: 0, after: lowestKey - 1)
        return (first, entry(at: first.end, after: first.key))
    }

    /// The LEB128 varint at `end`, advancing past it.
    private func varint(end: inout Int) -> Int {
        var value = 0, shift = 0
        while true {
            let byte = self[unchecked: end]
            end += 1
            value |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }
}

/// Stages up to two encoded sketch entries before they are spliced into the stream.
private struct SketchEntryEncoder {
    /// Two worst-case entries: header + 2-byte gap varint + 9-byte count varint each.
    static let maxBytes = 24

    var bytes = InlineArray<24, UInt8>(repeating: 0)
    var count = 0
    var previousKey: Int

    init(previousKey: Int) { self.previousKey = previousKey }

    /// Appends the entry of a bin above `previousKey`.
    mutating func append(key: Int, count binCount: Int) {
        let gap = key - previousKey
        previousKey = key
        if gap == 1 {
            write(UInt8(min(binCount - 1, 127)))
            if binCount >= 128 { writeVarint(binCount - 128) }
        } else {
            let gapField = min(gap - 2, 7), countField = min(binCount - 1, 15)
            write(0x80 | UInt8(gapField) << 4 | UInt8(countField))
            if gapField == 7 { writeVarint(gap - 9) }
            if countField == 15 { writeVarint(binCount - 16) }
        }
    }

    private mutating func writeVarint(_ value: Int) {
        var rest = value
        while rest >= 0x80 {
            write(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        write(UInt8(rest))
    }

    private mutating func write(_ byte: UInt8) {
        bytes[count] = byte
        count += 1
    }
}
