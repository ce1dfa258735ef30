/// The logarithmic bin layout shared by every latency sketch: DDSketch's mapping at a fine base accuracy, coarsened
/// uniformly by collapse levels as in UDDSketch.
///
/// At level 0 key k ≥ 1 is the bin (upperBounds[k − 2], upperBounds[k − 1]] ms, whose bounds are powers of
/// γ₀ = (1 + α₀) / (1 − α₀); key 0 holds latencies ≤ 0. Each level merges pairs of bins: key k at level L is key
/// ⌈k / 2⌉ at level L + 1, so a level-L bin spans γ_L = γ₀^(2^L) and its value is within
/// α_L = (γ_L − 1) / (γ_L + 1) of everything in it, with α_{L+1} = 2α_L / (1 + α_L²).
enum LatencyScale {
    /// α₀, chosen so that the coarsest level, 3, still guarantees α₃ ≈ 1.92 % (below the 2 % the windows promise).
    static let baseAccuracy = 0.0024
    /// Sketches never coarsen past this level; beyond it they fold their lowest bins instead.
    static let maxLevel = 3

    /// γ_L for L = 0 … maxLevel.
    static let gammas: [Double] = {
        var gammas = [(1 + baseAccuracy) / (1 - baseAccuracy)]
        while gammas.count <= maxLevel { gammas.append(gammas[gammas.count - 1] * gammas[gammas.count - 1]) }
        return gammas
    }()

    /// α_L, the relative accuracy of a level-L bin's value, for L = 0 … maxLevel: 0.24 %, 0.48 %, 0.96 %, 1.92 %.
    static let accuracies: [Double] = gammas.map { ($0 - 1) / ($0 + 1) }

    /// Powers of γ₀ from ≤ 1 µs to ≥ 1 h, padded above so that the coarsest bin of the highest key has a bound too.
    /// Built by repeated multiplication because the stdlib has no `log`: the drift (~1e-13) is far below α₀, and a
    /// binary search of the table is as cheap as `ceil(log(x) / log(γ₀))`.
    static let upperBounds: [Double] = {
        var bounds = [1.0]
        while bounds[0] > 1e-3 { bounds.insert(bounds[0] / gammas[0], at: 0) }
        while bounds[bounds.count - 1] < 3.6e6 || !bounds.count.isMultiple(of: 1 << maxLevel) {
            bounds.append(bounds[bounds.count - 1] * gammas[0])
        }
        return bounds
    }()

    /// The highest level-0 key, that of the first bound ≥ 1 h: every latency from there up lands in it.
    static let clampKey = upperBounds.firstIndex { $0 >= 3.6e6 }! + 1

    /// Number of level-0 keys, zero included: the size of a dense histogram.
    static var keyCount: Int { clampKey + 1 }

    /// The level-0 key of a latency: 0 for ≤ 0 (and NaN), else 1 + the index of the first bound ≥ `ms`, i.e.
    /// 1 + ⌈log_γ₀ ms⌉ relative to 1 µs; values out of range clamp to the ends.
    static func key(for ms: Double) -> Int {
        guard ms > 0 else { return 0 }
        var low = 0, high = clampKey - 1
        while low < high {
            let mid = (low + high) / 2
            if upperBounds[mid] < ms { low = mid + 1 } else { high = mid }
        }
        return low + 1
    }

    /// The key at a level `levels` coarser: ⌈key / 2^levels⌉.
    @inline(__always)
    static func coarsen(_ key: Int, by levels: Int) -> Int { (key + (1 << levels) - 1) >> levels }

    /// The value reported for `key` at `level`: 2u / (γ_L + 1) for the bin's upper bound u, within α_L of both of
    /// the bin's edges; 0 for key 0.
    static func value(of key: Int, level: Int) -> Double {
        key == 0 ? 0 : upperBounds[(key << level) - 1] * 2 / (gammas[level] + 1)
    }

    /// The 0-based rank quantile `q` denotes among `count` observations: ⌊q · (count − 1)⌋, as in DDSketch.
    static func rank(of q: Double, count: Int) -> Int {
        Int(min(max(q, 0), 1) * Double(count - 1))  // truncation is floor here; `rounded` would need libm
    }
}

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
    fileprivate var level: Int { Int(storedLevel & 0x7F) }

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

/// Dense per-bin counts at one level: merging many sketches at query time costs O(bins) each and never collapses
/// more than the coarsest sketch did.
struct LatencyHistogram {
    private var counts = [Int](repeating: 0, count: LatencyScale.keyCount)  // indexed by key at `level`
    private var level = 0
    private var total = 0
    private var keys = 0..<0  // a range holding every non-zero count

    mutating func add<let capacity: Int>(_ sketch: LatencySketch<capacity>) {
        add(stream: sketch.bytes.span.extracting(0..<Int(sketch.used)), lowestKey: Int(sketch.lowestKey), level: sketch.level)
    }

    /// Adds the bins of a sketch's encoded stream (see `LatencySketch`) at `sketchLevel`.
    mutating func add(stream: Span<UInt8>, lowestKey: Int, level sketchLevel: Int) {
        if sketchLevel > level { coarsen(to: sketchLevel) }
        let shift = level - sketchLevel
        var low = keys.isEmpty ? Int.max : keys.lowerBound, high = keys.isEmpty ? Int.min : keys.upperBound - 1
        var added = 0
        // The hot loop of window queries, hence the unchecked buffer: a sketch's keys are below `keyCount` (checked
        // when decoding a checkpoint), and coarsening only lowers them.
        counts.withUnsafeMutableBufferPointer { counts in
            forEachSketchBin(stream, lowestKey: lowestKey) { key, count in
                let key = LatencyScale.coarsen(key, by: shift)
                counts[key] += count
                added += count
                low = min(low, key)
                high = max(high, key)
            }
        }
        total += added
        if low <= high { keys = low..<high + 1 }
    }

    /// Adds the bins of a packed stream (see `PackedBins`) holding `latencies` latencies at `sketchLevel`.
    mutating func add(packed stream: Span<UInt8>, lowestKey: Int, level sketchLevel: Int, latencies: Int) {
        if sketchLevel > level { coarsen(to: sketchLevel) }
        let shift = level - sketchLevel, keyLimit = counts.count
        var low = keys.isEmpty ? Int.max : keys.lowerBound, high = keys.isEmpty ? Int.min : keys.upperBound - 1
        var added = 0, last = -1
        counts.withUnsafeMutableBufferPointer { counts in
            PackedBins.forEach(stream, lowestKey: lowestKey, total: latencies) { key, count in
                let key = LatencyScale.coarsen(key, by: shift)
                guard key < keyLimit else { return }  // never written so; keeps a damaged stream off other memory
                counts[key] &+= count
                added &+= count
                last = key
            }
        }
        total += added
        guard last >= 0 else { return }
        // Keys ascend, so the first and last bins bound them.
        (low, high) = (min(low, LatencyScale.coarsen(lowestKey, by: shift)), max(high, last))
        keys = low..<high + 1
    }

    /// Merges bins until the histogram is at `newLevel`.
    private mutating func coarsen(to newLevel: Int) {
        let shift = newLevel - level
        level = newLevel
        guard !keys.isEmpty else { return }
        // Keys only move down (⌈k / 2^shift⌉ ≤ k), onto slots already visited, so one ascending pass suffices.
        for key in keys {
            let count = counts[key]
            counts[key] = 0
            counts[LatencyScale.coarsen(key, by: shift)] += count
        }
        keys = LatencyScale.coarsen(keys.lowerBound, by: shift)..<LatencyScale.coarsen(keys.upperBound - 1, by: shift) + 1
    }

    /// Its level, total and non-empty bins, lowest key first (keys at that level).
    var merged: (level: Int, total: Int, forEachBin: ((Int, Int) -> Void) -> Void) {
        let (counts, keys) = (counts, keys)
        return (level, total, { body in for key in keys where counts[key] > 0 { body(key, counts[key]) } })
    }

    /// Empties the histogram, keeping its storage for the next merge.
    mutating func removeAll() {
        for key in keys { counts[key] = 0 }
        (level, total, keys) = (0, 0, 0..<0)
    }

    /// The value of the bin holding rank ⌊q · (total − 1)⌋; nil if empty.
    func quantile(_ q: Double) -> Double? { quantiles(q, q, q).0 }

    /// Three quantiles, q1 ≤ q2 ≤ q3, found in one pass over the bins.
    func quantiles(_ q1: Double, _ q2: Double, _ q3: Double) -> (Double?, Double?, Double?) {
        guard total > 0 else { return (nil, nil, nil) }
        let ranks = (LatencyScale.rank(of: q1, count: total), LatencyScale.rank(of: q2, count: total),
                     LatencyScale.rank(of: q3, count: total))
        var found = (-1, -1, -1)  // key 0 is a bin too
        var seen = 0, key = keys.lowerBound
        // Every rank is below `total`, so each is reached within `keys`.
        while true {
            seen += counts[key]
            if seen > ranks.0, found.0 < 0 { found.0 = key }
            if seen > ranks.1, found.1 < 0 { found.1 = key }
            if seen > ranks.2 { found.2 = key; break }
            key += 1
        }
        return (LatencyScale.value(of: found.0, level: level), LatencyScale.value(of: found.1, level: level),
                LatencyScale.value(of: found.2, level: level))
    }
}
