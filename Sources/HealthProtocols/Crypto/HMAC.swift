// HMAC-SHA-256 (RFC 2104, with SHA-256 as H: B = 64, L = 32), stdlib only.
//
//   HMAC(K, text) = H(K XOR opad, H(K XOR ipad, text))
//
// A key longer than B bytes is first replaced by H(K); a shorter one is padded with zeros to B.

package enum HMACSHA256 {
    /// The 32-byte HMAC-SHA-256 of `message` under `key` (any length; RFC 2104 §3 advises at
    /// least 32 bytes). Truncate the result yourself where a protocol asks for fewer bytes.
    package static func authenticate(_ message: some Sequence<UInt8>, key: some Sequence<UInt8>) -> [UInt8] {
        Key(key).authenticate(message)
    }

    /// A key with its two padded blocks already hashed: every MAC under it then costs only the
    /// message's blocks plus two compressions (what PBKDF2 relies on).
    struct Key: Sendable {
        /// SHA-256 state after the block K XOR ipad.
        let inner: InlineArray<8, UInt32>
        /// SHA-256 state after the block K XOR opad.
        let outer: InlineArray<8, UInt32>

        init(_ key: some Sequence<UInt8>) {
            var block = Array(key)
            if block.count > SHA256.blockSize {
                block = SHA256.hash(block)
            }
            block.append(contentsOf: repeatElement(0, count: SHA256.blockSize - block.count))
            var innerHasher = SHA256.Hasher()
            innerHasher.update(block.lazy.map { $0 ^ 0x36 })
            var outerHasher = SHA256.Hasher()
            outerHasher.update(block.lazy.map { $0 ^ 0x5c })
            inner = innerHasher.state
            outer = outerHasher.state
        }

        func authenticate(_ message: some Sequence<UInt8>) -> [UInt8] {
            var innerHasher = SHA256.Hasher(state: inner, byteCount: UInt64(SHA256.blockSize))
            innerHasher.update(message)
            var outerHasher = SHA256.Hasher(state: outer, byteCount: UInt64(SHA256.blockSize))
            outerHasher.update(innerHasher.finalize())
            return outerHasher.finalize()
        }

        /// The outer hash over an inner digest given as words: one compression, no allocation.
        /// `schedule[8..<16]` must hold the fixed padding of a 32-byte message that follows one
        /// block (see `paddedDigestSchedule`); `schedule[0..<8]` is overwritten.
        @inline(__always)
        static func finish(
            _ state: InlineArray<8, UInt32>, digest: InlineArray<8, UInt32>, schedule: inout InlineArray<64, UInt32>
        ) -> InlineArray<8, UInt32> {
            var state = state
            for i in 0..<8 { schedule[i] = digest[i] }
            SHA256.compress(&state, &schedule)
            return state
        }

        /// A schedule whose words 8..<16 pad a 32-byte digest hashed after one 64-byte block:
        /// 0x80, zeros, then the bit length (64 + 32) × 8 = 768.
        static var paddedDigestSchedule: InlineArray<64, UInt32> {
            var schedule = InlineArray<64, UInt32>(repeating: 0)
            schedule[8] = 0x8000_0000
            schedule[15] = UInt32((SHA256.blockSize + SHA256.digestSize) * 8)
            return schedule
        }
    }
}
