// SHA-256 (FIPS 180-4 §4.1.2, §4.2.2, §5.1.1, §5.3.3, §6.2), stdlib only.
//
// `SHA256.hash` for one-shot use; `SHA256.Hasher` to feed a message in pieces. The compression
// function works on a caller-provided 64-word schedule so that HMAC and PBKDF2 can run their
// inner loops without allocating.

package enum SHA256 {
    /// Bytes per message block.
    package static let blockSize = 64
    /// Bytes in a digest.
    package static let digestSize = 32

    /// The 32-byte SHA-256 digest of `bytes`.
    package static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Incremental SHA-256: `update` any number of times, then `finalize` once.
    package struct Hasher: Sendable {
        /// H(i), the intermediate hash value.
        var state: InlineArray<8, UInt32>
        /// Bytes of the current, incomplete block.
        private var buffer = InlineArray<64, UInt8>(repeating: 0)
        private var buffered = 0
        /// Message bytes hashed so far, including those that made `state`.
        private var byteCount: UInt64

        package init() {
            self.init(state: SHA256.initialState, byteCount: 0)
        }

        /// Resumes from a state reached after `byteCount` bytes, a multiple of the block size
        /// (the precomputed inner and outer keys of HMAC).
        init(state: InlineArray<8, UInt32>, byteCount: UInt64) {
            self.state = state
            self.byteCount = byteCount
        }

        /// Appends `bytes` to the message.
        package mutating func update(_ bytes: some Sequence<UInt8>) {
            let done: Void? = bytes.withContiguousStorageIfAvailable { update(contiguous: $0.span) }
            if done == nil {
                for byte in bytes { update(byte: byte) }
            }
        }

        /// The digest of everything passed to `update` (FIPS 180-4 §5.1.1 padding, §6.2.2 output).
        package consuming func finalize() -> [UInt8] {
            let words = finalizeWords()
            var digest: [UInt8] = []
            digest.reserveCapacity(SHA256.digestSize)
            for i in 0..<8 {
                let word = words[i]
                digest.append(UInt8(truncatingIfNeeded: word >> 24))
                digest.append(UInt8(truncatingIfNeeded: word >> 16))
                digest.append(UInt8(truncatingIfNeeded: word >> 8))
                digest.append(UInt8(truncatingIfNeeded: word))
            }
            return digest
        }

        /// The digest as eight big-endian words, H(N)0 ... H(N)7.
        consuming func finalizeWords() -> InlineArray<8, UInt32> {
            let bitCount = byteCount &* 8
            buffer[buffered] = 0x80
            buffered += 1
            if buffered > 56 {
                while buffered < 64 {
                    buffer[buffered] = 0
                    buffered += 1
                }
                compressBuffer()
                buffered = 0
            }
            while buffered < 56 {
                buffer[buffered] = 0
                buffered += 1
            }
            for i in 0..<8 {
                buffer[56 + i] = UInt8(truncatingIfNeeded: bitCount >> UInt64(56 - 8 * i))
            }
            compressBuffer()
            return state
        }

        private mutating func update(contiguous bytes: Span<UInt8>) {
            byteCount &+= UInt64(bytes.count)
            var index = 0
            if buffered > 0 {
                while buffered < 64 && index < bytes.count {
                    buffer[buffered] = bytes[index]
                    buffered += 1
                    index += 1
                }
                guard buffered == 64 else { return }
                compressBuffer()
                buffered = 0
            }
            var schedule = InlineArray<64, UInt32>(repeating: 0)
            while bytes.count - index >= 64 {
                SHA256.load(&schedule, from: bytes, at: index)
                SHA256.compress(&state, &schedule)
                index += 64
            }
            while index < bytes.count {
                buffer[buffered] = bytes[index]
                buffered += 1
                index += 1
            }
        }

        private mutating func update(byte: UInt8) {
            byteCount &+= 1
            buffer[buffered] = byte
            buffered += 1
            if buffered == 64 {
                compressBuffer()
                buffered = 0
            }
        }

        private mutating func compressBuffer() {
            var schedule = InlineArray<64, UInt32>(repeating: 0)
            SHA256.load(&schedule, from: buffer.span, at: 0)
            SHA256.compress(&state, &schedule)
        }
    }

    /// H(0) (§5.3.3): the first 32 bits of the fractional parts of the square roots of the first
    /// eight primes.
    static let initialState: InlineArray<8, UInt32> = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]

    /// Big-endian words of the 64-byte block at `offset` into `schedule[0..<16]`.
    static func load(_ schedule: inout InlineArray<64, UInt32>, from bytes: Span<UInt8>, at offset: Int) {
        for i in 0..<16 {
            let at = offset + 4 * i
            schedule[i] = UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16
                | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
        }
    }

    /// Hashes one block into `state` (§6.2.2). The block is `schedule[0..<16]`, which is left as
    /// it was; `schedule[16..<64]` is overwritten with the rest of the message schedule.
    static func compress(_ state: inout InlineArray<8, UInt32>, _ w: inout InlineArray<64, UInt32>) {
        for t in 16..<64 {
            let w15 = w[t - 15], w2 = w[t - 2]
            let sigma0 = w15.rotatedRight(by: 7) ^ w15.rotatedRight(by: 18) ^ (w15 &>> 3)
            let sigma1 = w2.rotatedRight(by: 17) ^ w2.rotatedRight(by: 19) ^ (w2 &>> 10)
            w[t] = sigma1 &+ w[t - 7] &+ sigma0 &+ w[t - 16]
        }
        var a = state[0], b = state[1], c = state[2], d = state[3]
        var e = state[4], f = state[5], g = state[6], h = state[7]
        for t in 0..<64 {
            let bigSigma1 = e.rotatedRight(by: 6) ^ e.rotatedRight(by: 11) ^ e.rotatedRight(by: 25)
            let choose = (e & f) ^ (~e & g)
            let t1 = h &+ bigSigma1 &+ choose &+ roundConstants[t] &+ w[t]
            let bigSigma0 = a.rotatedRight(by: 2) ^ a.rotatedRight(by: 13) ^ a.rotatedRight(by: 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let t2 = bigSigma0 &+ majority
            h = g
            g = f
            f = e
            e = d &+ t1
            d = c
            c = b
            b = a
            a = t1 &+ t2
        }
        state[0] = state[0] &+ a
        state[1] = state[1] &+ b
        state[2] = state[2] &+ c
        state[3] = state[3] &+ d
        state[4] = state[4] &+ e
        state[5] = state[5] &+ f
        state[6] = state[6] &+ g
        state[7] = state[7] &+ h
    }

    /// K (§4.2.2): the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
    private static let roundConstants: InlineArray<64, UInt32> = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
}

extension UInt32 {
    /// ROTR^n (§3.2), 0 < n < 32.
    fileprivate func rotatedRight(by count: UInt32) -> UInt32 {
        (self &>> count) | (self &<< (32 &- count))
    }
}
