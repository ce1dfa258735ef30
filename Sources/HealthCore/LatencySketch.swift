/// The logarithmic bin layout shared by every latency sketch (DDSketch's mapping, relative accuracy α = 1 %).
enum LatencyScale {
    static let relativeAccuracy = 0.01
    static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)

    /// `upperBounds[k]` is a power of γ and bin k holds (upperBounds[k − 1], upperBounds[k]] ms, from ≤ 1 µs to
    /// ≥ 1 h. Built by repeated multiplication because the stdlib has no `log`: the drift (~1e-13) is far below α,
    /// and a binary search of the table is as cheap as `ceil(log(x) / log(γ))`.
    static let upperBounds: [Double] = {
        var bounds = [1.0]
        while bounds[0] > 1e-3 { bounds.insert(bounds[0] / gamma, at: 0) }
        while bounds[bounds.count - 1] < 3.6e6 { bounds.append(bounds[bounds.count - 1] * gamma) }
        return bounds
    }()

    /// The bin of a positive latency: the first bound ≥ `ms`, i.e. ceil(log_γ ms); values out of range clamp.
    static func key(for ms: Double) -> Int {
        var low = 0, high = upperBounds.count - 1
        while low < high {
            let mid = (low + high) / 2
            if upperBounds[mid] < ms { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The value reported for bin `key`: 2γ^k / (γ + 1), within α of both of the bin's edges.
    static func value(of key: Int) -> Double { upperBounds[key] * 2 / (gamma + 1) }

    /// The 0-based rank quantile `q` denotes among `count` observations: ⌊q · (count − 1)⌋, as in DDSketch.
    static func rank(of q: Double, count: Int) -> Int {
        Int(min(max(q, 0), 1) * Double(count - 1))  // truncation is floor here; `rounded` would need libm
    }
}

/// A mergeable DDSketch-style sketch of latencies in ms with 1 % relative accuracy, stored inline in `capacity` bytes.
///
/// Non-empty bins form a sorted byte stream. Each entry is a header byte holding the key gap to the previous bin and
/// count − 1 as nibbles (15 means "15 + a LEB128 varint that follows"), so the sparse tail bins that decide p95/p99
/// cost one byte each, about a quarter of a (UInt16 key, UInt16 count) pair. When the bytes run out the lowest bins are
/// folded upwards, as DDSketch does, so the upper quantiles keep full accuracy. The capacity is a generic parameter so
/// the bytes live inside the owning bucket: a heap buffer per bucket would cost ~40 bytes of overhead each.
public struct LatencySketch<let capacity: Int>: Sendable, Equatable {
    private var zeroCount: UInt32 = 0  // latencies ≤ 0 (and NaN)
    private var used: UInt16 = 0
    private var lowestKey: UInt16 = 0  // the first entry's key, so its gap is always 0
    private var bytes = InlineArray<capacity, UInt8>(repeating: 0)

    /// An empty sketch; `capacity` must hold two worst-case entries (24 bytes) so that an insert always fits.
    public init() {
        precondition(capacity >= SketchEntryEncoder.maxBytes && capacity <= Int(UInt16.max), "unsupported capacity")
    }

    /// Number of latencies recorded.
    public var count: Int {
        var total = Int(zeroCount)
        forEachBin { total += $1 }
        return total
    }

    /// Records one latency in ms.
    public mutating func add(_ latencyMs: Double) {
        if latencyMs > 0 { insert(key: LatencyScale.key(for: latencyMs), count: 1) } else { zeroCount += 1 }
    }

    /// Adds every latency recorded in `other`.
    public mutating func merge<let otherCapacity: Int>(_ other: LatencySketch<otherCapacity>) {
        zeroCount += other.zeroCount
        other.forEachBin { insert(key: $0, count: $1) }
    }

    /// The latency at rank ⌊q · (count − 1)⌋ within 1 % (unless its bin was collapsed); nil if empty.
    public func quantile(_ q: Double) -> Double? {
        var histogram = LatencyHistogram()
        histogram.add(self)
        return histogram.quantile(q)
    }

    public static func == (a: Self, b: Self) -> Bool {
        // The encoding is canonical, so equal bins ⇔ equal bytes.
        a.zeroCount == b.zeroCount && a.used == b.used && a.lowestKey == b.lowestKey
            && (0..<Int(a.used)).allSatisfy { a.bytes[$0] == b.bytes[$0] }
    }

    fileprivate var zeroes: Int { Int(zeroCount) }

    /// Calls `body(key, count)` for every non-empty bin, lowest key first.
    fileprivate func forEachBin(_ body: (Int, Int) -> Void) {
        let stream = bytes.span.extracting(0..<Int(used))
        var entry = SketchEntry(key: Int(lowestKey), count: 0, end: 0)
        while entry.end < stream.count {
            entry = stream.entry(at: entry.end, after: entry.key)
            body(entry.key, entry.count)
        }
    }

    private mutating func insert(key: Int, count: Int) {
        var key = key
        while true {
            let (previous, next) = bytes.span.extracting(0..<Int(used)).neighbours(of: key, lowestKey: Int(lowestKey))
            // The first entry is encoded relative to itself (gap 0), so a new lowest key re-bases the stream.
            var encoder = SketchEntryEncoder(previousKey: previous.end == 0 ? key : previous.key)
            if let next, next.key == key {
                encoder.append(key: key, count: next.count + count)
            } else {
                encoder.append(key: key, count: count)
                if let next { encoder.append(key: next.key, count: next.count) }
            }
            if replace(previous.end..<(next?.end ?? previous.end), with: encoder) {
                if previous.end == 0 { lowestKey = UInt16(key) }
                return
            }
            // Full. Like DDSketch, give up resolution at the bottom: a key below every bin joins the lowest one,
            // otherwise the lowest bin folds into the next. Collapsing removes a bin, and one bin plus any new entry
            // fits in `capacity`, so this terminates.
            if previous.end == 0, let next, key < next.key { key = next.key } else { collapseLowestBin() }
        }
    }

    /// Folds the lowest bin into the next one. The merged entry is never longer than the two it replaces.
    private mutating func collapseLowestBin() {
        let (first, second) = bytes.span.lowestTwoEntries(lowestKey: Int(lowestKey))
        var encoder = SketchEntryEncoder(previousKey: second.key)
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
        let header = self[offset]
        var end = offset + 1
        let gap = field(header >> 4, end: &end)
        let count = field(header & 0x0F, end: &end) + 1
        return SketchEntry(key: previousKey + gap, count: count, end: end)
    }

    /// The last entry with key < `key` (or a zero-length stand-in at offset 0) and the entry after it, if any.
    func neighbours(of key: Int, lowestKey: Int) -> (previous: SketchEntry, next: SketchEntry?) {
        var previous = SketchEntry(key: lowestKey, count: 0, end: 0)
        while previous.end < count {
            let entry = entry(at: previous.end, after: previous.key)
            if entry.key >= key { return (previous, entry) }
            previous = entry
        }
        return (previous, nil)
    }

    /// The first two entries; the stream must hold at least two.
    func lowestTwoEntries(lowestKey: Int) -> (SketchEntry, SketchEntry) {
        let first = entry(at: 0, after: lowestKey)
        return (first, entry(at: first.end, after: first.key))
    }

    /// A header nibble's value, reading the varint at `end` when the nibble is the escape 15.
    private func field(_ nibble: UInt8, end: inout Int) -> Int {
        guard nibble == 15 else { return Int(nibble) }
        var value = 0, shift = 0
        while true {
            let byte = self[end]
            end += 1
            value |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return 15 + value }
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

    mutating func append(key: Int, count binCount: Int) {
        let gap = key - previousKey, countField = binCount - 1
        previousKey = key
        write(UInt8(min(gap, 15)) << 4 | UInt8(min(countField, 15)))
        if gap >= 15 { writeVarint(gap - 15) }
        if countField >= 15 { writeVarint(countField - 15) }
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

/// Dense per-bin counts: merging many sketches at query time costs O(bins) each and never collapses.
struct LatencyHistogram {
    private var counts = [Int](repeating: 0, count: LatencyScale.upperBounds.count)
    private var zeroCount = 0
    private var total = 0

    mutating func add<let capacity: Int>(_ sketch: LatencySketch<capacity>) {
        zeroCount += sketch.zeroes
        total += sketch.zeroes
        sketch.forEachBin { key, count in
            counts[key] += count
            total += count
        }
    }

    /// Empties the histogram, keeping its storage for the next merge.
    mutating func removeAll() {
        guard total > 0 else { return }
        for key in counts.indices { counts[key] = 0 }
        (zeroCount, total) = (0, 0)
    }

    /// The value of the bin holding rank ⌊q · (total − 1)⌋; nil if empty.
    func quantile(_ q: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = LatencyScale.rank(of: q, count: total)
        var seen = zeroCount
        guard seen <= rank else { return 0 }
        let key = counts.indices.first { key in
            seen += counts[key]
            return seen > rank
        }
        return key.map(LatencyScale.value(of:))
    }
}
