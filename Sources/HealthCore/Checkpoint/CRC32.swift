/// CRC-32 as in zlib, PNG and Ethernet (IEEE polynomial, reflected 0xEDB88320, initial and final XOR 0xFFFFFFFF),
/// so a checkpoint can be checked with standard tools; "123456789" gives 0xCBF43926.
enum CRC32 {
    /// Slicing-by-8: table k holds the CRC of a byte followed by k zero bytes, so eight input bytes cost eight
    /// independent lookups. A checkpoint runs to tens of MB, where one lookup per byte took most of the write time.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            tables[byte] = crc
        }
        for k in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(k - 1) * 256 + byte]
                tables[k * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    /// The CRC of `bytes`; with `crc`, of the bytes that gave `crc` followed by these.
    static func checksum(_ bytes: ArraySlice<UInt8>, continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { input in
            tables.withUnsafeBufferPointer { t in
                var crc = ~crc, i = 0
                while i + 8 <= input.count {
                    let word = UInt64(littleEndian: input.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ UInt64(crc)
                    crc = t[7 * 256 + Int(word & 0xFF)] ^ t[6 * 256 + Int(word >> 8 & 0xFF)]
                        ^ t[5 * 256 + Int(word >> 16 & 0xFF)] ^ t[4 * 256 + Int(word >> 24 & 0xFF)]
                        ^ t[3 * 256 + Int(word >> 32 & 0xFF)] ^ t[2 * 256 + Int(word >> 40 & 0xFF)]
                        ^ t[1 * 256 + Int(word >> 48 & 0xFF)] ^ t[Int(word >> 56)]
                    i += 8
                }
                for byte in input[i...] { crc = t[Int(UInt8(truncatingIfNeeded: crc) ^ byte)] ^ (crc >> 8) }
                return crc ^ 0xFFFF_FFFF
            }
        }
    }

    static func checksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 { checksum(bytes[...], continuing: crc) }

    /// The CRC of A followed by B from `first` = CRC(A), `second` = CRC(B) and B's length, as zlib's crc32_combine:
    /// appending n zero bytes to a message is linear over GF(2), so A's CRC is carried over n bytes by a 32×32
    /// matrix raised to n by squaring (O(log n)). It lets a checkpoint written in pieces put its header, whose
    /// length field is known only at the end, before a body already checksummed.
    static func combine(_ first: UInt32, _ second: UInt32, secondLength: Int) -> UInt32 {
        guard secondLength > 0 else { return first }
        func times(_ matrix: [UInt32], _ vector: UInt32) -> UInt32 {
            var sum: UInt32 = 0, vector = vector, row = 0
            while vector != 0 {
                if vector & 1 != 0 { sum ^= matrix[row] }
                vector >>= 1
                row += 1
            }
            return sum
        }
        func squared(_ matrix: [UInt32]) -> [UInt32] { matrix.map { times(matrix, $0) } }
        // The operator for one zero bit, then for 2 and 4; each loop turn squares it: 8 bits (a byte), 16, ….
        var op = [UInt32](repeating: 0, count: 32)
        op[0] = 0xEDB8_8320
        for n in 1..<32 { op[n] = 1 << (n - 1) }
        op = squared(squared(op))
        var crc = first, length = secondLength
        while length > 0 {
            op = squared(op)
            if length & 1 != 0 { crc = times(op, crc) }
            length >>= 1
        }
        return crc ^ second
    }
}
