// The bit-level writer and reader of packed streams (see `PackedBins`).
extension PackedBins {
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

    /// Reads bits in the order `PackedBins.Packed` writes them, from a word refilled eight bytes at a time; past the end
    /// it reads zeros and reports `overran`.
    struct BitReader {
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
            if offset &+ 8 <= stream.count {
                // Byte by byte, which the compiler turns into one load: `loadUnaligned` was left a call.
                let p = stream.baseAddress.unsafelyUnwrapped + offset
                var word: UInt64 = 0
                for i in 0..<8 { word |= UInt64(p[i]) &<< (8 &* i) }
                buffer |= word &<< available
                let bytes = (63 &- available) >> 3
                offset &+= bytes
                available &+= bytes << 3
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
}
