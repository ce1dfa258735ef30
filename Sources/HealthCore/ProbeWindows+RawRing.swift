extension ProbeWindows {
    /// The most recent raw samples, answering exactly while they reach back far enough.
    ///
    /// Storage grows with the samples seen, up to `capacity`; values take room only once a sample has carried one.
    struct RawRing {
        /// 12 bytes, no padding: the time's nanoseconds in two 32-bit halves (so the entry aligns to 4, not 8), and
        /// the latency as a Float, whose 1e-7 relative error is far below anything reported, with its sign bit
        /// telling a failure (a latency is never negative; a failure's 0 is kept as −0). Whether an entry carries a
        /// value is told by `values`.
        struct Entry {
            private var timeLow: UInt32, timeHigh: Int32
            private var latency: Float

            init(time: Timestamp, latencyMs: Double, ok: Bool) {
                (timeLow, timeHigh) = (UInt32(truncatingIfNeeded: time.nanoseconds), Int32(truncatingIfNeeded: time.nanoseconds >> 32))
                let magnitude = Float(latencyMs).magnitude
                latency = ok ? magnitude : -magnitude
            }

            var time: Timestamp { Timestamp(nanoseconds: Int64(timeHigh) << 32 | Int64(timeLow)) }
            var latencyMs: Float { latency.magnitude }
            var ok: Bool { latency.sign == .plus }
        }

        let capacity: Int
        var entries: [Entry] = []
        /// Each entry's value, NaN where it has none (recorded values are finite); empty while no entry has carried any.
        var values: [Double] = []
        var next = 0  // the slot to overwrite once full: the oldest arrival
        /// Newest time among overwritten samples: the ring holds every sample from just after it on.
        var evictedThrough: Timestamp?

        init(capacity: Int) { self.capacity = capacity }

        func value(at i: Int) -> Double? { values.isEmpty || values[i].isNaN ? nil : values[i] }

        mutating func append(_ sample: Sample) {
            append(Entry(time: sample.time, latencyMs: sample.latencyMs, ok: sample.ok), value: sample.value)
        }

        mutating func append(_ entry: Entry, value: Double?) {
            if value != nil, values.isEmpty, !entries.isEmpty {
                values.reserveCapacity(entries.capacity)
                values.append(contentsOf: repeatElement(.nan, count: entries.count))
            }
            guard entries.count == capacity else {
                if entries.count == entries.capacity {
                    // Grown by hand, so that a full ring holds `capacity` entries rather than the next power of two.
                    entries.reserveCapacity(Swift.min(capacity, Swift.max(16, entries.count * 2)))
                }
                if value != nil || !values.isEmpty {
                    values.reserveCapacity(entries.capacity)
                    values.append(value ?? .nan)
                }
                return entries.append(entry)
            }
            evictedThrough = max(evictedThrough ?? entries[next].time, entries[next].time)
            entries[next] = entry
            if value != nil || !values.isEmpty { values[next] = value ?? .nan }
            next = (next + 1) % capacity
        }

        /// Whether the ring holds every sample recorded at or after `start`.
        func covers(from start: Timestamp) -> Bool { evictedThrough.map { $0 < start } ?? true }

        /// Exact stats of the samples with time in `interval`; quantiles are order statistics at the sketch's ranks.
        func stats(in interval: Range<Timestamp>) -> WindowStats {
            var count = 0, failures = 0, values = ValueSummary(), latencies: [Double] = []
            for (i, entry) in entries.enumerated() where interval.contains(entry.time) {
                count += 1
                if entry.ok { latencies.append(Double(entry.latencyMs)) } else { failures += 1 }
                if let value = value(at: i) { values.merge(ValueSummary(value, at: entry.time)) }
            }
            latencies.sort()
            func quantile(_ q: Double) -> Double? {
                latencies.isEmpty ? nil : latencies[LatencyScale.rank(of: q, count: latencies.count)]
            }
            return WindowStats(count: count, failures: failures, values: values,
                               latency: (quantile(0.5), quantile(0.95), quantile(0.99)))
        }

        /// The newest value at or before `time`, when no evicted sample could be newer.
        func lastValue(atOrBefore time: Timestamp) -> Double? {
            guard !values.isEmpty else { return nil }
            var newest = ValueSummary()
            for (i, entry) in entries.enumerated() where entry.time <= time {
                if let value = value(at: i) { newest.merge(ValueSummary(value, at: entry.time)) }
            }
            return newest.count > 0 && covers(from: newest.lastTime) ? newest.last : nil
        }

        /// What its buffers take now (by capacity asked for: what the allocator rounds up is left out).
        var approximateBytes: Int { ProbeWindows.bytes(of: entries) + ProbeWindows.bytes(of: values) }
    }
}
