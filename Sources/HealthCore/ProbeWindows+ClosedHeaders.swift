extension ProbeWindows {
    /// The headers of a tier's closed buckets, oldest first, in 8 bytes each rather than a `StoredBucket`'s 16: a full
    /// week holds ~400 of them, which at 16 bytes were a fifth of a 10 s probe's memory.
    ///
    /// A header keeps its bucket's index as an offset from `base` (a tier's buckets all lie within 256 steps), its
    /// lowest key (13 bits: `LatencyScale.keyCount` is below 8192), level and packed flag in one word, and count and
    /// failures as 16-bit numbers. A bucket those cannot describe — over 65,534 samples, as every day of a 1 Hz probe,
    /// or with folded bins — is marked and kept whole in `large`, by index, so every `StoredBucket` round-trips.
    struct ClosedHeaders: RandomAccessCollection {
        private struct Header {
            var keyAndLevel: UInt16  // lowestKey | level << 13 | packed << 15
            var count: UInt16  // `largeMark`: the bucket is in `large`
            var failures: UInt16
            var offset: UInt8  // index − base
            var used: UInt8
        }

        private static let largeMark = UInt16.max
        private var headers: [Header] = []
        private var large: [StoredBucket] = []
        private var base: Int32 = 0

        init() {}

        var startIndex: Int { 0 }
        var endIndex: Int { headers.count }
        var capacity: Int { headers.capacity }

        subscript(position: Int) -> StoredBucket {
            let h = headers[position]
            let index = base &+ Int32(h.offset)
            if h.count == Self.largeMark { return large[largePosition(of: index)] }
            return StoredBucket(index: index, count: UInt32(h.count), failures: UInt32(h.failures),
                                lowestKey: h.keyAndLevel & 0x1FFF, used: Int(h.used),
                                storedLevel: UInt8(h.keyAndLevel >> 13 & 3) | (h.keyAndLevel & 0x8000 != 0 ? StoredBucket.packedFlag : 0))
        }

        /// The index of the bucket at `position`, without decoding the rest.
        func index(at position: Int) -> Int64 { Int64(base) + Int64(headers[position].offset) }

        /// The sketch bytes of the bucket at `position`, without decoding the rest.
        func used(at position: Int) -> Int { Int(headers[position].used) }

        /// Sketch bytes of the buckets before `position`: where its stream starts in the arena.
        func usedBytes(before position: Int) -> Int { headers[..<position].reduce(0) { $0 + Int($1.used) } }

        mutating func reserveCapacity(_ n: Int) { headers.reserveCapacity(n) }

        /// Makes room for `count` headers (see `ProbeWindows.grow`).
        mutating func grow(toHold count: Int, limit: Int) { ProbeWindows.grow(&headers, toHold: count, limit: limit) }

        mutating func append(_ bucket: StoredBucket) { insert(bucket, at: headers.count) }

        mutating func insert(_ bucket: StoredBucket, at position: Int) {
            rebase(toHold: bucket.index)
            headers.insert(header(of: bucket), at: position)
            if headers[position].count == Self.largeMark { large.insert(bucket, at: largePosition(of: bucket.index)) }
        }

        mutating func replace(at position: Int, with bucket: StoredBucket) {
            precondition(index(at: position) == Int64(bucket.index), "a bucket is replaced by one of the same index")
            if headers[position].count == Self.largeMark { large.remove(at: largePosition(of: bucket.index)) }
            headers[position] = header(of: bucket)
            if headers[position].count == Self.largeMark { large.insert(bucket, at: largePosition(of: bucket.index)) }
        }

        mutating func removeFirst(_ n: Int) {
            guard n > 0 else { return }
            let kept = n < headers.count ? index(at: n) : .max
            headers.removeFirst(n)
            large.removeAll { Int64($0.index) < kept }
        }

        mutating func removeLast(_ n: Int) {
            guard n > 0 else { return }
            let dropped = index(at: headers.count - n)
            headers.removeLast(n)
            large.removeAll { Int64($0.index) >= dropped }
        }

        var approximateBytes: Int { ProbeWindows.bytes(of: headers) + ProbeWindows.bytes(of: large) }

        private func header(of bucket: StoredBucket) -> Header {
            let fits = bucket.count < UInt32(Self.largeMark) && bucket.storedLevel & 0x80 == 0 && bucket.level <= 3
                && bucket.lowestKey < 0x2000
            return Header(keyAndLevel: bucket.lowestKey & 0x1FFF | UInt16(bucket.level) << 13 | (bucket.isPacked ? 0x8000 : 0),
                          count: fits ? UInt16(bucket.count) : Self.largeMark, failures: fits ? UInt16(bucket.failures) : 0,
                          offset: UInt8(bucket.index &- base), used: UInt8(bucket.used))
        }

        /// Moves `base`, if need be, so that `index` and every header's index are within 256 steps of it.
        private mutating func rebase(toHold index: Int32) {
            guard !headers.isEmpty else { return base = index }
            guard index < base || Int64(index) - Int64(base) > Int64(UInt8.max) else { return }
            let newBase = Swift.min(Int32(self.index(at: 0)), index)
            let newest = Swift.max(self.index(at: headers.count - 1), Int64(index))
            precondition(newest - Int64(newBase) <= Int64(UInt8.max), "closed buckets span over 256 steps")
            for i in headers.indices { headers[i].offset = UInt8(self.index(at: i) - Int64(newBase)) }
            base = newBase
        }

        private func largePosition(of index: Int32) -> Int {
            var low = 0, high = large.count
            while low < high {
                let mid = (low + high) / 2
                if large[mid].index < index { low = mid + 1 } else { high = mid }
            }
            return low
        }
    }
}
