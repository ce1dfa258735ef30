extension ProbeWindows {
    /// One tier's time-aligned bucket: totals, value summary and a sketch of successful latencies.
    struct Bucket<let sketchBytes: Int> {
        var values = ValueSummary()
        /// Absolute bucket number, `time / step`; Int32 holds any Int64 nanosecond time for steps ≥ 1 minute.
        var index: Int32
        var count: UInt32 = 0
        var failures: UInt32 = 0
        var latency = LatencySketch<sketchBytes>()

        init(index: Int32) { self.index = index }

        /// Adds a sample whose latency has level-0 key `latencyKey`.
        mutating func add(_ sample: Sample, latencyKey: Int) {
            count += 1
            if sample.ok { latency.add(key: latencyKey) } else { failures += 1 }
            if let value = sample.value { values.merge(ValueSummary(value, at: sample.time)) }
        }
    }

    /// Running totals while merging buckets into one window or series point.
    struct BucketTotals {
        var count = 0
        var failures = 0
        var values = ValueSummary()
        var latency = LatencyHistogram()

        mutating func add<let sketchBytes: Int>(_ bucket: Bucket<sketchBytes>) {
            count += Int(bucket.count)
            failures += Int(bucket.failures)
            values.merge(bucket.values)
            latency.add(bucket.latency)
        }

        /// Adds a closed bucket of a tier: its fields and its sketch's stream from the tier's arena.
        mutating func add(_ bucket: StoredBucket, values bucketValues: ValueSummary?, stream: Span<UInt8>) {
            count += Int(bucket.count)
            failures += Int(bucket.failures)
            if let bucketValues { values.merge(bucketValues) }
            if bucket.isPacked {
                latency.add(packed: stream, lowestKey: Int(bucket.lowestKey), level: bucket.level, latencies: bucket.latencies)
            } else {
                latency.add(stream: stream, lowestKey: Int(bucket.lowestKey), level: bucket.level)
            }
        }

        /// Empties the totals, keeping the histogram's storage.
        mutating func removeAll() {
            (count, failures, values) = (0, 0, ValueSummary())
            latency.removeAll()
        }

        var stats: WindowStats {
            WindowStats(count: count, failures: failures, values: values, latency: latency.quantiles(WindowStats.quantiles.0, WindowStats.quantiles.1, WindowStats.quantiles.2))
        }
    }

    /// A closed bucket: its totals and sketch header (16 bytes, no padding: a tier's sketches are under 256 bytes,
    /// so their length takes one); the sketch's bytes are in its tier's arena, after those of the closed buckets
    /// before it, packed (see `PackedBins`) unless packing saved nothing. Values are kept beside it, only by tiers that
    /// have seen any.
    struct StoredBucket {
        var index: Int32
        var count: UInt32
        var failures: UInt32
        var lowestKey: UInt16
        var used: UInt8
        /// The sketch's `storedLevel`, with `packedFlag` set when its bins are packed.
        var storedLevel: UInt8

        /// Set in `storedLevel` for packed bins; the sketch's own flag (folded bins) is its top bit, its level ≤ 3.
        static let packedFlag: UInt8 = 0x40

        init(index: Int32, count: UInt32, failures: UInt32, lowestKey: UInt16, used: Int, storedLevel: UInt8) {
            (self.index, self.count, self.failures, self.lowestKey) = (index, count, failures, lowestKey)
            (self.used, self.storedLevel) = (UInt8(used), storedLevel)
        }

        /// The header of `bucket` closed into a stream of `used` bytes.
        init<let sketchBytes: Int>(_ bucket: Bucket<sketchBytes>, used: Int, packed: Bool) {
            (index, count, failures) = (bucket.index, bucket.count, bucket.failures)
            (self.used, lowestKey) = (UInt8(used), bucket.latency.lowestKey)
            storedLevel = bucket.latency.storedLevel | (packed ? Self.packedFlag : 0)
        }

        var isPacked: Bool { storedLevel & Self.packedFlag != 0 }
        var level: Int { Int(storedLevel & 0x3F) }
        /// The latencies its sketch holds: every sample but the failed ones.
        var latencies: Int { Int(count - failures) }

        /// The sketch of the bucket, from its stream.
        func latency<let sketchBytes: Int>(from stream: Span<UInt8>) -> LatencySketch<sketchBytes> {
            let sketchLevel = storedLevel & ~Self.packedFlag
            return isPacked
                ? LatencySketch(storedLevel: sketchLevel, lowestKey: lowestKey, packed: stream, total: latencies)
                : LatencySketch(storedLevel: sketchLevel, lowestKey: lowestKey, stream: stream)
        }
    }

    /// A closed bucket read from a checkpoint with its bins packed as its tier kept them.
    struct PackedBucket {
        var header: StoredBucket
        var values: ValueSummary
        var stream: ArraySlice<UInt8>
    }
}
