/// The bins of a closed bucket's sketch packed into bits, for the tiers' arenas: 30–50 % fewer bytes than
/// `LatencySketch`'s byte stream, which stays the form of the sketch being recorded into because it inserts in place.
///
/// A closed sketch is never inserted into again, only read whole, so it can take a code that is read in order.
/// Neighbouring bins of a latency distribution hold similar counts, so each count is coded as the zigzagged difference
/// from a prediction made of the counts before it, in a Rice code whose parameter follows the recent differences (the
/// reader tracks it the same way). Two modes, whichever is shorter, told by the first bit after the prefix:
/// - `gaps` (sparse bins: short buckets, slow probes) codes each bin as its key gap (a 0 bit for the next key, else a
///   1 bit and gap − 2 in Exp-Golomb), then its count as the difference from the previous bin's;
/// - `everyKey` (dense bins: the long buckets of busy probes, whose gap bits would all be 0) codes the count of every
///   key from `lowestKey` on, predicted as the mean of the two before; an empty key is a count of 0 followed by the
///   number of further empty keys in Exp-Golomb.
/// The first bin's key is the bucket's `lowestKey` and takes no code. The stream ends where the counts reach the
/// bucket's latency count, which its header holds, so neither a length nor a terminator is stored. Bits fill each
/// byte from its least significant end.
///
/// Before the bits, three bytes say where the bucket's p50, p95 and p99 are (key − `lowestKey`, 255 if further): a
/// history point of one bucket, the commonest, then needs no decoding at all.
///
/// Measured on 1 Hz lognormal latencies at level 2, those bytes included: an hour of σ = 0.3 ~66 bytes instead of ~94
/// as a byte stream (~77 with gaps alone); a minute ~24 instead of ~38. Data whose packing would not be smaller
/// (unusually jagged counts) is refused, and the caller keeps the byte stream.
enum PackedBins {
    /// A Rice quotient of this many 1 bits is an escape: the zigzagged difference follows in Exp-Golomb.
    static let escapeQuotient = 15
    /// The running sum of recent differences starts at four times a mean of 4, and loses a quarter per bin.
    static let initialSum = 16
    /// Longest packed stream: a stored sketch's length takes one byte.
    static let maxBytes = 255

    /// Bytes before the bits: the quantiles' key offsets.
    static let prefixBytes = 3
    /// The quantiles whose keys the prefix holds: those `WindowStats` reports.
    static var quantiles: (Double, Double, Double) { WindowStats.quantiles }

    /// How the bits after the prefix code the bins; the first of them says which.
    enum Mode: UInt64 { case gaps = 0, everyKey = 1 }

    /// The packed form of the bins `forEachBin` yields in key order, `latencies` in all, if it is shorter than `limit`
    /// bytes. Both modes are written in the one pass, and the shorter kept (`gaps` if they tie).
    static func pack(latencies: Int, limit: Int, _ forEachBin: ((Int, Int) -> Void) -> Void) -> Packed? {
        var prefix: InlineArray<3, UInt8> = [0xFF, 0xFF, 0xFF]
        let ranks: InlineArray<3, Int> = [LatencyScale.rank(of: quantiles.0, count: latencies),
                                          LatencyScale.rank(of: quantiles.1, count: latencies),
                                          LatencyScale.rank(of: quantiles.2, count: latencies)]
        var gaps = GapsWriter(), everyKey = EveryKeyWriter()
        var seen = 0, found = 0, lowestKey = Int.min
        forEachBin { key, count in
            if lowestKey == .min { lowestKey = key }
            seen += count
            // The first bin whose counts pass a rank holds that quantile, as `LatencyHistogram.quantiles` finds it.
            while found < ranks.count, seen > ranks[found] {
                if key - lowestKey < 0xFF { prefix[found] = UInt8(key - lowestKey) }
                found += 1
            }
            gaps.add(key: key, count: count)
            everyKey.add(key: key, count: count)
        }
        var packed = everyKey.out.count < gaps.out.count ? everyKey.out : gaps.out
        for i in 0..<prefixBytes { packed.patch(i, prefix[i]) }
        packed.finish()
        return packed.overflowed || packed.count >= min(limit, maxBytes + 1) ? nil : packed
    }

    /// Calls `body(key, count)` for every bin of a packed stream, lowest key first, until the counts reach `total`.
    /// A stream that ends first, or decodes to a count or key `pack` never writes, stops there. `modeBit` false reads
    /// the streams of checkpoint format 3, which were all `gaps` and did not say so.
    @inline(__always)
    static func forEach(_ stream: Span<UInt8>, lowestKey: Int, total: Int, modeBit: Bool = true, _ body: (Int, Int) -> Void) {
        guard stream.count >= prefixBytes else { return }
        stream.extracting(prefixBytes...).withUnsafeBufferPointer { stream in
            var reader = BitReader(stream)
            reader.refill()
            if modeBit, reader.read(bits: 1) == Mode.everyKey.rawValue {
                forEachEveryKey(&reader, lowestKey: lowestKey, total: total, body)
            } else {
                forEachGap(&reader, lowestKey: lowestKey, total: total, body)
            }
        }
    }

    @inline(__always)
    private static func forEachGap(_ reader: inout BitReader, lowestKey: Int, total: Int, _ body: (Int, Int) -> Void) {
        var key = lowestKey, count = 0, remaining = total, sum = initialSum
        var gap = false  // the first bin has none
        while true {
            // A bin's gap bit and count take at most 1 + 15 + 1 + k bits outside escapes and long gaps.
            let k = riceParameter(sum)
            if reader.available < 17 &+ k { reader.refill() }
            if gap {
                if reader.buffer & 1 == 0 {
                    key &+= 1
                    reader.consume(1)
                } else {
                    reader.consume(1)
                    guard let skipped = reader.readGap() else { return }
                    key &+= 2 &+ skipped
                    reader.refill()
                }
            }
            gap = true
            let z = reader.readCount(k: k)
            count &+= unzigzag(z)
            // 1 ≤ count ≤ remaining, in one comparison.
            guard !reader.overran, UInt(bitPattern: count &- 1) < UInt(bitPattern: remaining) else { return }
            body(key, count)
            remaining &-= count
            guard remaining > 0 else { return }
            sum = nextSum(sum, z)
        }
    }

    @inline(__always)
    private static func forEachEveryKey(_ reader: inout BitReader, lowestKey: Int, total: Int, _ body: (Int, Int) -> Void) {
        var key = lowestKey, remaining = total, sum = initialSum
        var last = 0, beforeLast = 0
        while true {
            let k = riceParameter(sum)
            if reader.available < 16 &+ k { reader.refill() }
            let z = reader.readCount(k: k)
            let count = (last &+ beforeLast &+ 1) >> 1 &+ unzigzag(z)
            (beforeLast, last) = (last, count)
            sum = nextSum(sum, z)
            // 1 ≤ count ≤ remaining, in one comparison; else a 0 (not at the lowest key, a bin) and its run.
            if _fastPath(UInt(bitPattern: count &- 1) < UInt(bitPattern: remaining)), !reader.overran {
                body(key, count)
                remaining &-= count
                guard remaining > 0 else { return }
                key &+= 1
                continue
            }
            guard count == 0, key != lowestKey, !reader.overran else { return }
            reader.refill()
            guard let further = reader.readGap() else { return }
            key &+= 1 &+ further
        }
    }

    /// The keys of the quantiles `quantiles` names, from a packed stream's prefix; nil for one it does not hold.
    static func quantileKeys(_ stream: Span<UInt8>, lowestKey: Int) -> (Int, Int, Int)? {
        guard stream.count >= prefixBytes, stream[0] != 0xFF, stream[1] != 0xFF, stream[2] != 0xFF else { return nil }
        return (lowestKey + Int(stream[0]), lowestKey + Int(stream[1]), lowestKey + Int(stream[2]))
    }

    /// The Rice parameter for a running sum of four recent differences: ⌊log₂(mean + 1)⌋.
    @inline(__always) static func riceParameter(_ sum: Int) -> Int { Int.bitWidth - 1 - ((sum >> 2) + 1).leadingZeroBitCount }
    @inline(__always) static func nextSum(_ sum: Int, _ z: UInt64) -> Int { sum &- sum >> 2 &+ Int(truncatingIfNeeded: z < 1 << 40 ? z : 1 << 40) }
    @inline(__always) static func zigzag(_ v: Int) -> UInt64 { UInt64(bitPattern: Int64((v << 1) ^ (v >> 63))) }
    @inline(__always) static func unzigzag(_ z: UInt64) -> Int { Int(truncatingIfNeeded: z >> 1) ^ -Int(truncatingIfNeeded: z & 1) }

    /// Writes the `gaps` mode.
    private struct GapsWriter {
        var out = Packed(mode: .gaps)
        var previousKey = Int.min, previousCount = 0, sum = initialSum

        mutating func add(key: Int, count: Int) {
            if previousKey != .min {
                let gap = key - previousKey
                if gap == 1 { out.write(0, bits: 1) } else { out.write(1, bits: 1); out.writeExpGolomb(UInt64(gap - 2)) }
            }
            previousKey = key
            out.writeCount(zigzag(count - previousCount), sum: &sum)
            previousCount = count
        }
    }

    /// Writes the `everyKey` mode.
    private struct EveryKeyWriter {
        var out = Packed(mode: .everyKey)
        var nextKey = Int.min, last = 0, beforeLast = 0, sum = initialSum

        mutating func add(key: Int, count: Int) {
            if nextKey != .min, key > nextKey {
                write(count: 0)
                out.writeExpGolomb(UInt64(key - nextKey - 1))
            }
            write(count: count)
            nextKey = key + 1
        }

        private mutating func write(count: Int) {
            out.writeCount(zigzag(count - (last + beforeLast + 1) >> 1), sum: &sum)
            (beforeLast, last) = (last, count)
        }
    }
}

extension PackedBins.Packed {
    /// An empty stream of `mode`: the prefix, to be patched, then the mode bit.
    init(mode: PackedBins.Mode) {
        self.init()
        write(0xFF_FFFF, bits: 8 * PackedBins.prefixBytes)
        write(mode.rawValue, bits: 1)
    }

    /// Writes a zigzagged difference in the Rice code of `sum`, which it then moves on.
    @inline(__always)
    mutating func writeCount(_ z: UInt64, sum: inout Int) {
        let k = PackedBins.riceParameter(sum)
        let quotient = z >> k
        if quotient < UInt64(PackedBins.escapeQuotient) {
            write((1 << quotient) - 1, bits: Int(quotient) + 1)  // the quotient in unary, ended by a 0
            write(z & ((1 << k) - 1), bits: k)
        } else {
            write((1 << PackedBins.escapeQuotient) - 1, bits: PackedBins.escapeQuotient)
            writeExpGolomb(z)
        }
        sum = PackedBins.nextSum(sum, z)
    }
}

extension PackedBins.BitReader {
    /// A zigzagged difference in the Rice code of parameter `k`; the buffer must hold 16 + k bits.
    @inline(__always)
    mutating func readCount(k: Int) -> UInt64 {
        let ones = (~buffer).trailingZeroBitCount
        if ones < PackedBins.escapeQuotient {
            let z = UInt64(truncatingIfNeeded: ones) << k | (buffer >> (ones &+ 1)) & ((1 << k) &- 1)
            consume(ones &+ 1 &+ k)
            return z
        }
        consume(PackedBins.escapeQuotient)
        return readExpGolomb()
    }

    /// A number of keys skipped, in Exp-Golomb; nil past any key there is, which only damage writes.
    @inline(__always)
    mutating func readGap() -> Int? {
        let skipped = readExpGolomb()
        return skipped < UInt64(LatencyScale.keyCount) ? Int(truncatingIfNeeded: skipped) : nil
    }
}
