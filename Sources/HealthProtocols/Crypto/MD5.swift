// MD5 message digest (RFC 1321), stdlib only.
//
// MD5 is broken for collision resistance; it is here only because wire protocols still ask for it
// (PostgreSQL's `md5` password authentication, for one). Use SHA-256 for anything new.

package enum MD5 {
    /// Bytes per message block.
    package static let blockSize = 64
    /// Bytes in a digest.
    package static let digestSize = 16

    /// The 16-byte MD5 digest of `bytes`.
    package static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        // RFC 1321 §3.1–3.2: append 0x80, zeros up to 56 mod 64, then the bit length little-endian.
        var message = Array(bytes)
        let bitLength = UInt64(truncatingIfNeeded: message.count) &* 8
        message.append(0x80)
        let zeros = (56 &- message.count % 64 + 64) % 64
        message.append(contentsOf: repeatElement(0, count: zeros))
        for shift in stride(from: 0, to: 64, by: 8) {
            message.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }

        // §3.3: initial state, words A B C D.
        var state: InlineArray<4, UInt32> = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476]
        var words = InlineArray<16, UInt32>(repeating: 0)
        var offset = 0
        while offset < message.count {
            for i in 0..<16 {
                let at = offset + 4 * i
                words[i] = UInt32(message[at]) | UInt32(message[at + 1]) << 8
                    | UInt32(message[at + 2]) << 16 | UInt32(message[at + 3]) << 24
            }
            compress(&state, words)
            offset += 64
        }

        var digest: [UInt8] = []
        digest.reserveCapacity(digestSize)
        for i in 0..<4 {
            let word = state[i]
            digest.append(UInt8(truncatingIfNeeded: word))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
        }
        return digest
    }

    /// §3.4: the four rounds of 16 operations on one block.
    private static func compress(_ state: inout InlineArray<4, UInt32>, _ x: InlineArray<16, UInt32>) {
        var a = state[0], b = state[1], c = state[2], d = state[3]
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i {
            case 0..<16:
                f = (b & c) | (~b & d)  // F
                g = i
            case 16..<32:
                f = (b & d) | (c & ~d)  // G
                g = (5 &* i &+ 1) & 15
            case 32..<48:
                f = b ^ c ^ d  // H
                g = (3 &* i &+ 5) & 15
            default:
                f = c ^ (b | ~d)  // I
                g = (7 &* i) & 15
            }
            f = f &+ a &+ table[i] &+ x[g]
            a = d
            d = c
            c = b
            b = b &+ f.rotatedLeft(by: shifts[(i >> 4) << 2 | (i & 3)])
        }
        state[0] = state[0] &+ a
        state[1] = state[1] &+ b
        state[2] = state[2] &+ c
        state[3] = state[3] &+ d
    }

    /// Per-round left rotations: four per round, repeated for each of its 16 steps.
    private static let shifts: InlineArray<16, UInt32> = [
        7, 12, 17, 22,
        5, 9, 14, 20,
        4, 11, 16, 23,
        6, 10, 15, 21,
    ]

    /// T[i] = floor(2^32 × |sin(i)|), i = 1...64 (RFC 1321 §3.4).
    private static let table: InlineArray<64, UInt32> = [
        0xd76a_a478, 0xe8c7_b756, 0x2420_70db, 0xc1bd_ceee,
        0xf57c_0faf, 0x4787_c62a, 0xa830_4613, 0xfd46_9501,
        0x6980_98d8, 0x8b44_f7af, 0xffff_5bb1, 0x895c_d7be,
        0x6b90_1122, 0xfd98_7193, 0xa679_438e, 0x49b4_0821,
        0xf61e_2562, 0xc040_b340, 0x265e_5a51, 0xe9b6_c7aa,
        0xd62f_105d, 0x0244_1453, 0xd8a1_e681, 0xe7d3_fbc8,
        0x21e1_cde6, 0xc337_07d6, 0xf4d5_0d87, 0x455a_14ed,
        0xa9e3_e905, 0xfcef_a3f8, 0x676f_02d9, 0x8d2a_4c8a,
        0xfffa_3942, 0x8771_f681, 0x6d9d_6122, 0xfde5_380c,
        0xa4be_ea44, 0x4bde_cfa9, 0xf6bb_4b60, 0xbebf_bc70,
        0x289b_7ec6, 0xeaa1_27fa, 0xd4ef_3085, 0x0488_1d05,
        0xd9d4_d039, 0xe6db_99e5, 0x1fa2_7cf8, 0xc4ac_5665,
        0xf429_2244, 0x432a_ff97, 0xab94_23a7, 0xfc93_a039,
        0x655b_59c3, 0x8f0c_cc92, 0xffef_f47d, 0x8584_5dd1,
        0x6fa8_7e4f, 0xfe2c_e6e0, 0xa301_4314, 0x4e08_11a1,
        0xf753_7e82, 0xbd3a_f235, 0x2ad7_d2bb, 0xeb86_d391,
    ]
}

extension UInt32 {
    fileprivate func rotatedLeft(by count: UInt32) -> UInt32 {
        (self &<< count) | (self &>> (32 &- count))
    }
}
