extension ProbeWindows {
    /// The most recent raw samples, those within `reach` of the newest and at most `capacity`, answering exactly while
    /// they reach back far enough.
    ///
    /// Storage follows the samples kept, so a probe's rate sets it; values take room only once a sample has carried one.
    struct RawRing {
        /// 9 bytes, no padding (bytes only, so the entry aligns to 1): the time's low 40 bits of nanoseconds, which
        /// with any time up to 18 minutes after it (the ring's newest: entries are within `reach` of it) give the time
        /// back exactly; and the latency as a Float, whose 1e-7 relative error is far below anything reported, with
        /// its sign bit telling a failure (a latency is never negative; a failure's 0 is kept as −0). Whether an entry
        /// carries a value is told by `values`.
        struct Entry {
            private var bytes: InlineArray<9, UInt8>  // time 0–4, latency 5–8, least significant first

            init(time: Timestamp, latencyMs: Double, ok: Bool) {
                let magnitude = Float(latencyMs).magnitude
                let latency = UInt64((ok ? magnitude : -magnitude).bitPattern)
                let word = UInt64(bitPattern: time.nanoseconds) & Self.timeMask | latency << 40
                bytes = InlineArray(repeating: 0)
                for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: word >> (8 * i)) }
                bytes[8] = UInt8(truncatingIfNeeded: latency >> 24)
            }

            private static let timeMask: UInt64 = 1 << 40 - 1

            /// The time, given `reference`, a time at or after it by less than 2⁴⁰ ns.
            func time(before reference: Timestamp) -> Timestamp {
                var low: UInt64 = 0
                for i in 0..<5 { low |= UInt64(bytes[i]) << (8 * i) }
                let behind = (UInt64(bitPattern: reference.nanoseconds) &- low) & Self.timeMask
                return Timestamp(nanoseconds: reference.nanoseconds &- Int64(behind))
            }

            private var latency: Float {
                Float(bitPattern: UInt32(bytes[5]) | UInt32(bytes[6]) << 8 | UInt32(bytes[7]) << 16 | UInt32(bytes[8]) << 24)
            }
            var latencyMs: Float { latency.magnitude }
            var ok: Bool { latency.sign == .plus }
        }

        /// Most samples kept: 5 minutes and 10 s at 1 Hz, so that 5-minute windows stay exact while a 1 s probe's newest
        /// sample is up to 10 s old (it is overdue after 2).
        static let capacity = 310
        /// `capacity` up to format 3, which stored it.
        static let formerCapacity = 384
        /// How far back from the probe's newest sample the ring keeps samples: it is there to answer windows of up to
        /// 5 minutes exactly, and a probe at 10 s needs ~37 entries for that, not `capacity`.
        static let reach = TimeSpan.minutes(6)
        /// Circular storage, the oldest live entry at `head`; grown by a quarter as needed, shrunk when a quarter full.
        private(set) var entries: [Entry] = []
        /// Each entry's value, NaN where it has none (recorded values are finite); empty while no entry has carried any.
        private(set) var values: [Double] = []
        private(set) var head = 0
        /// Live entries, from `head` on, wrapping around.
        private(set) var count = 0
        /// Newest time among dropped samples: the ring holds every sample from just after it on.
        private(set) var evictedThrough: Timestamp?
        /// Entries ever appended, wrapping: the journal writes those appended since it last saw this number.
        private(set) var appended: UInt32 = 0
        /// The newest time appended: every entry's is within `reach` before it (see `Entry.time(before:)`).
        private var newest = Timestamp(nanoseconds: .min)

        init() {}

        /// Storage position of the `i`-th live entry, oldest first.
        @inline(__always) private func slot(_ i: Int) -> Int { (head + i) % entries.count }

        private func value(at slot: Int) -> Double? { values.isEmpty || values[slot].isNaN ? nil : values[slot] }

        /// Calls `body(time, entry, value)` for every live entry from the `first`-th, oldest arrival first.
        func forEach(from first: Int = 0, _ body: (Timestamp, Entry, Double?) -> Void) {
            for i in first..<count { body(time(of: entries[slot(i)]), entries[slot(i)], value(at: slot(i))) }
        }

        private func time(of entry: Entry) -> Timestamp { entry.time(before: newest) }

        /// Adds a sample of a probe whose newest sample (this one's time or later) is at `newest`.
        mutating func append(_ sample: Sample, newest: Timestamp) {
            append(Entry(time: sample.time, latencyMs: sample.latencyMs, ok: sample.ok), time: sample.time, value: sample.value,
                   newest: newest)
        }

        mutating func append(_ entry: Entry, time: Timestamp, value: Double?, newest: Timestamp) {
            let cutoff = newest - Self.reach
            // A late sample already beyond the reach is not kept, and the ring says so.
            guard time > cutoff else { return drop(time) }
            // Entries' times are read by the newest before this one: a pause may have put the new one too far ahead.
            while count > 0, self.time(of: entries[head]) <= cutoff { dropOldest() }
            self.newest = Swift.max(self.newest, newest)
            if count == Self.capacity { dropOldest() }
            if count == entries.count || (entries.count > 16 && count < entries.count / 4) {
                resize(to: Swift.min(Self.capacity, Swift.max(16, count + count / 4 + 1)))
            }
            if value != nil, values.isEmpty { values = Array(repeating: .nan, count: entries.count) }
            let at = slot(count)
            entries[at] = entry
            if !values.isEmpty { values[at] = value ?? .nan }
            count += 1
            appended &+= 1
        }

        /// Notes that the samples up to `time` are no longer all here.
        mutating func drop(_ time: Timestamp) { evictedThrough = max(evictedThrough ?? time, time) }

        private mutating func dropOldest() {
            drop(time(of: entries[head]))
            (head, count) = ((head + 1) % entries.count, count - 1)
        }

        /// Moves the live entries to the front of storage for `size` entries.
        private mutating func resize(to size: Int) {
            let placeholder = Entry(time: Timestamp(nanoseconds: 0), latencyMs: 0, ok: true)
            var moved = [Entry](repeating: placeholder, count: size)
            for i in 0..<count { moved[i] = entries[slot(i)] }
            if !values.isEmpty {
                var movedValues = [Double](repeating: .nan, count: size)
                for i in 0..<count { movedValues[i] = values[slot(i)] }
                values = movedValues
            }
            (entries, head) = (moved, 0)
        }

        /// Whether the ring holds every sample recorded at or after `start`.
        func covers(from start: Timestamp) -> Bool { evictedThrough.map { $0 < start } ?? true }

        /// Exact stats of the samples with time in `interval`; quantiles are order statistics at the sketch's ranks.
        func stats(in interval: Range<Timestamp>) -> WindowStats {
            var count = 0, failures = 0, values = ValueSummary(), latencies: [Double] = []
            forEach { time, entry, value in
                guard interval.contains(time) else { return }
                count += 1
                if entry.ok { latencies.append(Double(entry.latencyMs)) } else { failures += 1 }
                if let value { values.merge(ValueSummary(value, at: time)) }
            }
            latencies.sort()
            func quantile(_ q: Double) -> Double? {
                latencies.isEmpty ? nil : latencies[LatencyScale.rank(of: q, count: latencies.count)]
            }
            return WindowStats(count: count, failures: failures, values: values,
                               latency: (quantile(WindowStats.quantiles.0), quantile(WindowStats.quantiles.1), quantile(WindowStats.quantiles.2)))
        }

        /// The newest value at or before `time`, when no evicted sample could be newer.
        func lastValue(atOrBefore time: Timestamp) -> Double? {
            guard !values.isEmpty else { return nil }
            var newest = ValueSummary()
            forEach { entryTime, _, value in
                if entryTime <= time, let value { newest.merge(ValueSummary(value, at: entryTime)) }
            }
            return newest.count > 0 && covers(from: newest.lastTime) ? newest.last : nil
        }

        /// What its buffers take now (by capacity asked for: what the allocator rounds up is left out).
        var approximateBytes: Int { ProbeWindows.bytes(of: entries) + ProbeWindows.bytes(of: values) }
    }
}
