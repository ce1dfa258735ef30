// PBKDF2 (RFC 8018 §5.2) with HMAC-SHA-256 as the PRF, stdlib only.
//
//   DK = T_1 || T_2 || ... || T_l<0..r-1>
//   T_i = U_1 XOR U_2 XOR ... XOR U_c
//   U_1 = PRF(P, S || INT(i)),  U_j = PRF(P, U_{j-1})
//
// The key's ipad/opad states are hashed once; each U_j after the first is then exactly two
// SHA-256 compressions over a stack-allocated schedule, with no allocation in the loop.

package enum PBKDF2 {
    /// PBKDF2-HMAC-SHA-256 of `password` and `salt` with `iterations` (c ≥ 1) rounds, giving
    /// `length` bytes (dkLen, 0 ≤ dkLen ≤ (2^32 − 1) × 32).
    package static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int = 32) -> [UInt8] {
        precondition(iterations >= 1, "PBKDF2: iterations must be at least 1")
        precondition(length >= 0, "PBKDF2: negative length")
        precondition(UInt64(length) <= UInt64(UInt32.max) * UInt64(SHA256.digestSize), "PBKDF2: derived key too long")

        let key = HMACSHA256.Key(password)
        var schedule = HMACSHA256.Key.paddedDigestSchedule
        var derived: [UInt8] = []
        derived.reserveCapacity(length)
        var blockIndex: UInt32 = 1
        while derived.count < length {
            // U_1 = PRF(P, S || INT(i)), INT(i) a four-byte big-endian integer.
            var innerHasher = SHA256.Hasher(state: key.inner, byteCount: UInt64(SHA256.blockSize))
            innerHasher.update(salt)
            innerHasher.update([
                UInt8(truncatingIfNeeded: blockIndex >> 24), UInt8(truncatingIfNeeded: blockIndex >> 16),
                UInt8(truncatingIfNeeded: blockIndex >> 8), UInt8(truncatingIfNeeded: blockIndex),
            ])
            var u = HMACSHA256.Key.finish(key.outer, digest: innerHasher.finalizeWords(), schedule: &schedule)
            var t = u
            for _ in 1..<iterations {
                let innerDigest = HMACSHA256.Key.finish(key.inner, digest: u, schedule: &schedule)
                u = HMACSHA256.Key.finish(key.outer, digest: innerDigest, schedule: &schedule)
                for i in 0..<8 { t[i] ^= u[i] }
            }
            for i in 0..<8 where derived.count < length {
                let word = t[i]
                for shift in stride(from: 24, through: 0, by: -8) where derived.count < length {
                    derived.append(UInt8(truncatingIfNeeded: word >> shift))
                }
            }
            blockIndex &+= 1
        }
        return derived
    }
}
