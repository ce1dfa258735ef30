/// The bins of a closed bucket's sketch packed into bits, for the tiers' arenas: 25–45 % fewer bytes than
/// `LatencySketch`'s byte stream, which stays the form of the sketch being recorded into because it inserts in place.
///
/// A closed sketch is never inserted into again, only read whole, so it can take a code that is read in order.
/// Neighbouring bins of a latency distribution hold similar counts, and most bins follow the one before: each bin is
/// its key gap (a 0 bit for the next key, else a 1 bit and gap − 2 in Exp-Golomb), then its count as the zigzagged
/// difference from the previous bin's, in a Rice code whose parameter follows the recent differences (the reader
/// tracks it the same way). The first bin's key is the bucket's `lowestKey` and takes no gap. The stream ends where the
/// counts reach the bucket's latency count, which its header holds, so neither a length nor a terminator is stored.
/// Bits fill each byte from its least significant end.
///
/// Before the bits, three bytes say where the bucket's p50, p95 and p99 are (key − `lowestKey`, 255 if further): a
/// history point of one bucket, the commonest, then needs no decoding at all.
///
/// Measured on 1 Hz lognormal latencies, those bytes included (an hour of σ = 1 at level 3: ~115 bytes instead of
/// ~158; a minute of σ = 0.3 at level 2: ~25 instead of ~38). Data whose packing would not be smaller (unusually
/// jagged counts) is refused, and the caller keeps the byte stream.
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

    /// The packed form of the bins `forEachBin` yields in key order, `latencies` in all, if it is shorter than `limit`
    /// bytes.
    static func pack(latencies: Int, limit: Int, _ forEachBin: ((Int, Int) -> Void) -> Void) -> Packed? {
        var writer = Packed()
        writer.write(UInt64(0xFF_FFFF), bits: 8 * prefixBytes)
        let ranks: InlineArray<3, Int> = [LatencyScale.rank(of: quantiles.0, count: latencies),
                                          LatencyScale.rank(of: quantiles.1, count: latencies),
                                          LatencyScale.rank(of: quantiles.2, count: latencies)]
        var seen = 0, found = 0, lowestKey = 0
        var previousKey = Int.min, previousCount = 0, sum = initialSum
        forEachBin { key, count in
            if previousKey == .min { lowestKey = key }
            seen += count
            // The first bin whose counts pass a rank holds that quantile, as `LatencyHistogram.quantiles` finds it.
            while found < ranks.count, seen > ranks[found] {
                if key - lowestKey < 0xFF { writer.patch(found, UInt8(key - lowestKey)) }
                found += 1
            }
            if previousKey != .min {
                let gap = key - previousKey
                if gap == 1 { writer.write(0, bits: 1) } else { writer.write(1, bits: 1); writer.writeExpGolomb(UInt64(gap - 2)) }
            }
            previousKey = key
            let z = zigzag(count - previousCount)
            previousCount = count
            let k = riceParameter(sum)
            let quotient = z >> k
            if quotient < UInt64(escapeQuotient) {
                writer.write((1 << quotient) - 1, bits: Int(quotient) + 1)  // the quotient in unary, ended by a 0
                writer.write(z & ((1 << k) - 1), bits: k)
            } else {
                writer.write((1 << escapeQuotient) - 1, bits: escapeQuotient)
                writer.writeExpGolomb(z)
            }
            sum = nextSum(sum, z)
        }
        writer.finish()
        return writer.overflowed || writer.count >= min(limit, maxBytes + 1) ? nil : writer
    }

    /// Calls `body(key, count)` for every bin of a packed stream, lowest key first, until the counts reach `total`.
    /// A stream that ends first, or decodes to a count below 1, stops there: `pack` never wrote it.
    @inline(__always)
    static func forEach(_ stream: Span<UInt8>, lowestKey: Int, total: Int, _ body: (Int, Int) -> Void) {
        guard stream.count >= prefixBytes else { return }
        stream.extracting(prefixBytes...).withUnsafeBufferPointer { stream in
            var reader = BitReader(stream)
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
                        key &+= 2 &+ Int(truncatingIfNeeded: reader.readExpGolomb())
                        reader.refill()
                    }
                }
                gap = true
                let ones = (~reader.buffer).trailingZeroBitCount
                let z: UInt64
                if ones < escapeQuotient {
                    z = UInt64(truncatingIfNeeded: ones) << k | (reader.buffer >> (ones &+ 1)) & ((1 << k) &- 1)
                    reader.consume(ones &+ 1 &+ k)
                } else {
                    reader.consume(escapeQuotient)
                    z = reader.readExpGolomb()
                }
                count &+= unzigzag(z)
                // 1 ≤ count ≤ remaining, in one comparison.
                guard !reader.overran, UInt(bitPattern: count &- 1) < UInt(bitPattern: remaining) else { return }
                body(key, count)
                remaining &-= count
                guard remaining > 0 else { return }
                sum = nextSum(sum, z)
            }
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

    /// A packed stream being written: up to `maxBytes` in place, so packing allocates nothing.
    struct Packed {
        private(set) var bytes = InlineArray<256, UInt8>(repeating: 0)
        private(set) var count = 0
        private(set) var overflowed = false
        private var staged: UInt64 = 0
        private var stagedBits = 0

        /// Appends the low `bits` bits of `value`.
        @inline(__always)
        mutating func write(_ value: UInt64, bits: Int) {
            // The stage holds fewer than 32 bits between writes, so up to 32 more fit.
            guard bits <= 32 else {
                write(value & 0xFFFF_FFFF, bits: 32)
                return write(value >> 32, bits: bits - 32)
            }
            staged |= (value & ((1 << bits) &- 1)) << stagedBits
            stagedBits &+= bits
            if stagedBits >= 32 { for _ in 0..<4 { emit() } }
        }

        /// Exp-Golomb of order 0: as many 0 bits as v + 1 has after its top bit, then v + 1 from its top bit down
        /// written as a 1 bit followed by its lower bits, lowest first.
        mutating func writeExpGolomb(_ v: UInt64) {
            let value = v == .max ? v : v + 1  // 2⁶⁴ − 1 differences cannot occur: counts are below 2³²
            let low = UInt64.bitWidth - 1 - value.leadingZeroBitCount
            write(0, bits: low)
            write(1, bits: 1)
            write(value & ((1 << low) - 1), bits: low)
        }

        mutating func finish() { while stagedBits > 0 { emit() } }

        /// Overwrites a byte already written, whether emitted or still staged.
        mutating func patch(_ index: Int, _ byte: UInt8) {
            if index < count { return bytes[index] = byte }
            let shift = (index - count) * 8
            staged = staged & ~(0xFF << shift) | UInt64(byte) << shift
        }

        private mutating func emit() {
            if count < 256 {
                bytes[count] = UInt8(truncatingIfNeeded: staged)
                count += 1
            } else {
                overflowed = true
            }
            staged >>= 8
            stagedBits = max(stagedBits - 8, 0)
        }

        /// Appends the stream to `out`.
        func append(to out: inout [UInt8]) { for i in 0..<count { out.append(bytes[i]) } }
    }
}

/// Reads bits in the order `PackedBins.Packed` writes them, from a word refilled eight bytes at a time; past the end
/// it reads zeros and reports `overran`.
private struct BitReader {
    private let stream: UnsafeBufferPointer<UInt8>
    private var offset = 0  // the next byte to load
    /// The next bits, lowest first; `available` of them are the stream's, the rest are 0.
    private(set) var buffer: UInt64 = 0
    private(set) var available = 0  // negative once more bits were taken than the stream had
    var overran: Bool { available < 0 }

    init(_ stream: UnsafeBufferPointer<UInt8>) { self.stream = stream }

    /// Loads bytes until at least 56 bits are ready, or the stream ends.
    @inline(__always)
    mutating func refill() {
        guard available < 56, available >= 0 else { return }
        if offset + 8 <= stream.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(stream.baseAddress! + offset).loadUnaligned(as: UInt64.self))
            buffer |= word << available
            let bytes = (63 - available) >> 3
            offset += bytes
            available += bytes << 3
            return
        }
        while available <= 56, offset < stream.count {
            buffer |= UInt64(stream[offset]) << available
            offset += 1
            available += 8
        }
    }

    /// Takes `bits` bits (at most 64).
    @inline(__always)
    mutating func consume(_ bits: Int) {
        buffer = bits >= 64 ? 0 : buffer >> bits
        available &-= bits
    }

    /// The next `bits` bits (at most 56) as a number, lowest first.
    mutating func read(bits: Int) -> UInt64 {
        if available < bits { refill() }
        let value = buffer & ((1 << bits) - 1)
        consume(bits)
        return value
    }

    /// An Exp-Golomb number of order 0 (see `PackedBins.Packed.writeExpGolomb`); 0 once past the end.
    @inline(__always)
    mutating func readExpGolomb() -> UInt64 {
        // Short ones (gaps of up to ~2¹⁶ keys) straight from the word.
        let zeros = buffer.trailingZeroBitCount
        if zeros < 16, zeros &* 2 &+ 1 <= available {
            let value = (1 << zeros | (buffer >> (zeros &+ 1)) & ((1 << zeros) &- 1)) &- 1
            consume(zeros &* 2 &+ 1)
            return value
        }
        return readLongExpGolomb()
    }

    private mutating func readLongExpGolomb() -> UInt64 {
        var zeros = 0
        while true {
            refill()
            guard available > 0 else {
                consume(1)
                return 0
            }
            let run = min(buffer.trailingZeroBitCount, available)
            zeros += run
            consume(run)
            if available > 0 { break }
        }
        guard zeros < 64 else {
            consume(64)
            return 0
        }
        consume(1)
        var low: UInt64 = 0, shift = 0, rest = zeros
        while rest > 0 {
            let n = min(rest, 32)
            low |= read(bits: n) << shift
            (shift, rest) = (shift + n, rest - n)
        }
        return (1 << zeros | low) &- 1
    }
}
