/// Aggregates over one window of a probe's samples.
package struct WindowStats: Sendable, Equatable {
    /// Samples in the window.
    package var count: Int
    /// Failed samples in the window.
    package var failures: Int
    /// (count − failures) / count; nil when the window is empty.
    package var availability: Double?
    /// failures / count; nil when the window is empty.
    package var errorRate: Double?
    /// Median latency in ms over successful samples; nil when there are none.
    package var latencyP50: Double?
    /// 95th percentile latency in ms over successful samples; nil when there are none.
    package var latencyP95: Double?
    /// 99th percentile latency in ms over successful samples; nil when there are none.
    package var latencyP99: Double?
    /// Smallest reported value; nil when no sample carried one.
    package var valueMin: Double?
    /// Largest reported value; nil when no sample carried one.
    package var valueMax: Double?
    /// Mean reported value; nil when no sample carried one.
    package var valueAvg: Double?
    /// Newest reported value; nil when no sample carried one.
    package var valueLast: Double?

    /// Stats from totals; availability and error rate are derived from `count` and `failures`.
    package init(count: Int = 0, failures: Int = 0,
                latencyP50: Double? = nil, latencyP95: Double? = nil, latencyP99: Double? = nil,
                valueMin: Double? = nil, valueMax: Double? = nil, valueAvg: Double? = nil, valueLast: Double? = nil) {
        self.count = count
        self.failures = failures
        availability = count > 0 ? Double(count - failures) / Double(count) : nil
        errorRate = count > 0 ? Double(failures) / Double(count) : nil
        (self.latencyP50, self.latencyP95, self.latencyP99) = (latencyP50, latencyP95, latencyP99)
        (self.valueMin, self.valueMax, self.valueAvg, self.valueLast) = (valueMin, valueMax, valueAvg, valueLast)
    }

    /// The latency quantile for q ∈ {0.5, 0.95, 0.99} (the ones kept); nil for any other q.
    package func latency(quantile q: Double) -> Double? {
        switch q {
        case 0.5: latencyP50
        case 0.95: latencyP95
        case 0.99: latencyP99
        default: nil
        }
    }

    fileprivate init(count: Int, failures: Int, values: ProbeWindows.ValueSummary,
                     latency: (p50: Double?, p95: Double?, p99: Double?)) {
        let hasValues = values.count > 0
        self.init(count: count, failures: failures,
                  latencyP50: latency.p50, latencyP95: latency.p95, latencyP99: latency.p99,
                  valueMin: hasValues ? values.min : nil, valueMax: hasValues ? values.max : nil,
                  valueAvg: hasValues ? values.sum / Double(values.count) : nil,
                  valueLast: hasValues ? values.last : nil)
    }
}

/// One probe's recent history: a ring of raw samples plus time-aligned rollup tiers (1m×1h, 5m×6h, 15m×24h, 1h×7d).
///
/// Memory grows with what the probe has seen, up to a bound (see `approximateBytes`). Tier buckets are addressed by
/// absolute index `time / step`; a tier keeps the newest one inline and the older ones packed, and drops those that
/// fall out of its span, so gaps leave no ghost data. Each tier keeps one step more than span / step, so that a window
/// as long as the span still finds its oldest, partial bucket.
///
/// Tier latency quantiles merge the buckets' sketches at the coarsest collapse level among them, so every quantile of
/// a window is within that level's α. A bucket's sketch starts at α₀ = 0.24 % and halves its resolution (γ → γ²)
/// whenever a new bin would not fit its bytes, at most to α₃ = 1.92 %; the capacities are sized so that at 1 Hz even
/// lognormal latencies with σ = 1 and a bimodal mix (70 % ~20 ms, 30 % ~300 ms) never need more, so p50, p95 and p99
/// over every window stay within 2 %. A bucket that closes keeps at most α₂ = 0.96 %, which holds narrow data (σ ≤ 0.5,
/// the bimodal mix) within 1 %. Only data wider still folds a bucket's lowest bins, which can overestimate its lowest
/// latencies.
package struct ProbeWindows: Sendable {
    /// Longest history kept; older samples are ignored.
    package static let retention = TimeSpan.days(7)

    // 384 raw samples keep 5m windows exact at 1 Hz and 1h windows exact at the default 10 s interval. Sketch bytes
    // per bucket are what 1 Hz of lognormal σ = 1 latencies needs at α₃ = 1.92 %, whose bins are 3.8 % wide: a
    // bucket's samples fall into ~45, ~100, ~130 and ~155 distinct bins for 1m, 5m, 15m and 1h, at one byte each; the
    // worst of 10⁵ / 3·10⁴ / 10⁴ / 3·10³ simulated buckets took 59 / 119 / 145 / 170 bytes. With the 56 bytes of an
    // inline bucket's other fields and the sketch's 5, capacities ≡ 3 (mod 8) leave no padding. Closed buckets take
    // their sketch's bytes and a 16-byte header: 7 full days of σ = 1 at 1 Hz take ~65 KB, of σ = 0.3 ~47 KB.
    var ring = RawRing(capacity: 384)
    var minutes = Tier<59>(step: .minutes(1), span: .hours(1))
    var fiveMinutes = Tier<123>(step: .minutes(5), span: .hours(6))
    var quarterHours = Tier<147>(step: .minutes(15), span: .hours(24))
    var hours = Tier<171>(step: .hours(1), span: retention)
    var newest: Timestamp?

    /// An empty history.
    package init() {}

    /// The tiers, finest first; a copy for queries.
    private var tiers: [any RollupTier] { [minutes, fiveMinutes, quarterHours, hours] }

    /// Adds a sample; they should arrive in (nearly) non-decreasing time order. O(tiers), no allocation.
    /// A non-finite value is recorded as no data (as `Monitor.ingest` already makes it): it would stay in the sums
    /// for as long as they reach back.
    package mutating func record(_ sample: Sample) {
        if let newest, sample.time <= newest - Self.retention { return }
        if sample.value?.isFinite == false { return record(sample.withFiniteValue()) }
        newest = max(newest ?? sample.time, sample.time)
        ring.append(sample)
        let latencyKey = sample.ok ? LatencyScale.key(for: sample.latencyMs) : 0  // looked up once for all tiers
        minutes.record(sample, latencyKey: latencyKey)
        fiveMinutes.record(sample, latencyKey: latencyKey)
        quarterHours.record(sample, latencyKey: latencyKey)
        hours.record(sample, latencyKey: latencyKey)
    }

    /// Stats over samples with time in (now − window, now]; windows beyond 7 days are cut to what is kept.
    ///
    /// Exact while the raw ring reaches back to `now − window`. Otherwise the finest tier whose span covers the
    /// window merges its whole buckets from the one holding `now − window` through the one holding `now`, so the
    /// result may include up to one bucket step of extra, older history (and samples after `now` in the newest bucket).
    /// A tier that no longer keeps `now − window` is passed over: after the wall clock was set back, the finest tiers
    /// have dropped the times it now shows (and the samples recorded since), which a coarser one still keeps.
    package func stats(over window: TimeSpan, now: Timestamp) -> WindowStats {
        let start = Self.start(of: window, now: now), end = now + Self.nanosecond
        if ring.covers(from: start) { return ring.stats(in: start..<end) }
        // Called by its type: through `any RollupTier` the code runs unspecialized.
        return switch tier(covering: window, from: start) {
        case .minutes: minutes.stats(from: start, through: now)
        case .fiveMinutes: fiveMinutes.stats(from: start, through: now)
        case .quarterHours: quarterHours.stats(from: start, through: now)
        case .hours: hours.stats(from: start, through: now)
        }
    }

    /// The first nanosecond of the window (now − window, now].
    static func start(of window: TimeSpan, now: Timestamp) -> Timestamp { now - max(window, TimeSpan(nanoseconds: 0)) + nanosecond }

    enum TierName { case minutes, fiveMinutes, quarterHours, hours }

    /// The tier a window from `start` is merged from — by `stats`, `series` and `WindowStatsCache` alike, so that
    /// none serves what another would not: the finest whose span covers `window` and that still keeps `start` (after
    /// the wall clock was set back the finest may have dropped it), else the coarsest.
    func tier(covering window: TimeSpan, from start: Timestamp) -> TierName {
        if minutes.span >= window, minutes.keeps(start) { return .minutes }
        if fiveMinutes.span >= window, fiveMinutes.keeps(start) { return .fiveMinutes }
        if quarterHours.span >= window, quarterHours.keeps(start) { return .quarterHours }
        return .hours
    }

    private subscript(tier: TierName) -> any RollupTier {
        switch tier {
        case .minutes: minutes
        case .fiveMinutes: fiveMinutes
        case .quarterHours: quarterHours
        case .hours: hours
        }
    }

    /// The step of a tier's buckets.
    func step(of tier: TierName) -> TimeSpan { self[tier].step }

    /// The newest value recorded at or before `time`, for `value.delta(W)` = last − value(at: now − W).
    ///
    /// Exact from the raw ring. A tier bucket holding values after `time` cannot say which came before it, so then the
    /// answer is the newest value of an earlier bucket: up to one step of the finest tier holding `time` older.
    package func value(at time: Timestamp, now: Timestamp) -> Double? {
        let time = min(time, now)
        if let value = ring.lastValue(atOrBefore: time) { return value }
        for tier in tiers {
            if let value = tier.lastValue(atOrBefore: time) { return value }
        }
        return nil
    }

    /// One point of a history series: stats over [start, start + step).
    package struct Point: Sendable, Equatable {
        /// Start of the point's interval, a multiple of the series step.
        package var start: Timestamp
        /// Stats of the samples in the interval; count 0 when there were none.
        package var stats: WindowStats

        /// A point.
        package init(start: Timestamp, stats: WindowStats) {
            self.start = start
            self.stats = stats
        }
    }

    /// Step-aligned points, oldest first, from the one holding `now − range` through the one holding `now`
    /// (range / step + 1 at most; the caller keeps that ≤ 1000).
    ///
    /// Uses the coarsest tier whose step divides `step` and whose span covers `range`; failing that the raw ring when
    /// it reaches back far enough, else the finest tier covering `range` with each bucket counted in the point where
    /// it starts (approximate when `step` is not a multiple of the tier step).
    package func series(range: TimeSpan, step: TimeSpan, now: Timestamp) -> [Point] {
        precondition(step.nanoseconds > 0, "series step must be positive")
        let first = (now - range).stepIndex(step), last = now.stepIndex(step)
        let starts = stride(from: first, through: last, by: 1).map { Timestamp(nanoseconds: $0 * step.nanoseconds) }
        guard let oldest = starts.first else { return [] }
        let aligned = tiers.last { step.nanoseconds % $0.step.nanoseconds == 0 && $0.span >= range }
        if aligned == nil, ring.covers(from: oldest) {
            return starts.map { Point(start: $0, stats: ring.stats(in: $0..<$0 + step)) }
        }
        let tier = aligned ?? self[tier(covering: range, from: oldest)]
        var totals = BucketTotals()
        return starts.map { start in
            totals.removeAll()
            tier.accumulate(tier.indices(startingIn: start..<start + step), into: &totals)
            return Point(start: start, stats: totals.stats)
        }
    }

    /// Bytes this history occupies now: inline fields (the newest bucket of each tier among them), the ring and every
    /// tier's closed buckets. It grows with what the probe has seen, up to what seven full days take.
    package var approximateBytes: Int {
        MemoryLayout<Self>.size + ring.approximateBytes + tiers.reduce(0) { $0 + $1.approximateBytes }
    }

    private static let nanosecond = TimeSpan(nanoseconds: 1)

    /// The finest level a closed bucket keeps: α₂ = 0.96 % holds the 1 % promised for narrow data, and a closed 1m
    /// bucket of σ = 0.3 latencies takes about half the bytes it took at the level it was recorded at.
    static let closedLevel = 2

    /// Bytes a Swift array buffer spends before its elements (object header, count, capacity).
    static let arrayHeaderBytes = 32

}

// The helpers below are nested in `ProbeWindows` so that their names cannot clash with anything else in the module.
extension ProbeWindows {
    // MARK: - Value aggregates

    /// Count, min, max, sum and newest of a set of values; 44 bytes, as it is stored in every bucket.
    struct ValueSummary {
        var min = Double.infinity
        var max = -Double.infinity
        var sum = 0.0
        var last = 0.0
        var lastTime = Timestamp(nanoseconds: .min)
        var count: UInt32 = 0

        init() {}

        init(_ value: Double, at time: Timestamp) {
            (min, max, sum, last, lastTime, count) = (value, value, value, value, time, 1)
        }

        /// Combines two summaries; the newer `last` wins whatever the merge order, so late samples cannot override it.
        mutating func merge(_ other: ValueSummary) {
            guard other.count > 0 else { return }
            min = Swift.min(min, other.min)
            max = Swift.max(max, other.max)
            sum += other.sum
            count += other.count
            if other.lastTime >= lastTime { (last, lastTime) = (other.last, other.lastTime) }
        }
    }

    // MARK: - Raw ring

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

    // MARK: - Rollup tiers

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
            latency.add(stream: stream, lowestKey: Int(bucket.lowestKey), level: Int(bucket.storedLevel & 0x7F))
        }

        /// Empties the totals, keeping the histogram's storage.
        mutating func removeAll() {
            (count, failures, values) = (0, 0, ValueSummary())
            latency.removeAll()
        }

        var stats: WindowStats {
            WindowStats(count: count, failures: failures, values: values, latency: latency.quantiles(0.5, 0.95, 0.99))
        }
    }

    /// A tier seen without its sketch capacity, so queries can choose one at run time.
    private protocol RollupTier {
        var step: TimeSpan { get }
        var span: TimeSpan { get }
        var approximateBytes: Int { get }
        /// Index of the bucket holding `time`.
        func index(of time: Timestamp) -> Int64
        /// Indices of the buckets whose start lies in `interval`.
        func indices(startingIn interval: Range<Timestamp>) -> Range<Int64>
        func accumulate(_ indices: Range<Int64>, into totals: inout BucketTotals)
        func lastValue(atOrBefore time: Timestamp) -> Double?
    }

    /// A closed bucket: its totals and sketch header (16 bytes, no padding: a tier's sketches are under 256 bytes,
    /// so their length takes one); the sketch's bytes are in its tier's arena, after those of the closed buckets
    /// before it. Values are kept beside it, only by tiers that have seen any.
    struct StoredBucket {
        var index: Int32
        var count: UInt32
        var failures: UInt32
        var lowestKey: UInt16
        var used: UInt8
        var storedLevel: UInt8

        init<let sketchBytes: Int>(_ bucket: Bucket<sketchBytes>) {
            (index, count, failures) = (bucket.index, bucket.count, bucket.failures)
            (used, lowestKey, storedLevel) = (UInt8(bucket.latency.used), bucket.latency.lowestKey, bucket.latency.storedLevel)
        }
    }

    /// The buckets of one step, for the newest `slots` steps: the newest bucket inline, where samples are recorded,
    /// and the older ones closed, oldest first, their sketches packed at their size into one arena. So a tier takes
    /// what its buckets hold, not what they might: a quiet or narrow history costs a fraction of a busy, wide one.
    struct Tier<let sketchBytes: Int>: RollupTier {
        let step: TimeSpan
        /// Steps kept, the newest one's included: span / step + 1.
        let slots: Int
        /// The newest bucket; index `.min` while there is none.
        var current = Bucket<sketchBytes>(index: .min)
        /// Older buckets, by index, all within `slots` of the newest.
        var closed: [StoredBucket] = []
        /// The closed buckets' value summaries, parallel to `closed`; empty while none of them has a value.
        var closedValues: [ValueSummary] = []
        /// The closed buckets' sketch streams, in their order.
        var arena: [UInt8] = []

        init(step: TimeSpan, span: TimeSpan) {
            precondition(step >= .minutes(1), "bucket indices are Int32")
            precondition(sketchBytes <= Int(UInt8.max), "a stored sketch's length is one byte")
            self.step = step
            slots = Int(span.nanoseconds / step.nanoseconds) + 1
        }

        var span: TimeSpan { step * Int64(slots - 1) }

        var approximateBytes: Int {
            ProbeWindows.bytes(of: closed) + ProbeWindows.bytes(of: closedValues) + ProbeWindows.bytes(of: arena)
        }

        /// Every bucket held, oldest first (a copy, for checkpoints and tests).
        var buckets: [Bucket<sketchBytes>] {
            var result: [Bucket<sketchBytes>] = [], offset = 0
            for position in closed.indices {
                result.append(bucket(at: position, offset: offset))
                offset += Int(closed[position].used)
            }
            if current.index != .min { result.append(current) }
            return result
        }

        func index(of time: Timestamp) -> Int64 { time.stepIndex(step) }

        /// Whether the bucket holding `time` is still kept (or would be): within `slots` of the newest.
        func keeps(_ time: Timestamp) -> Bool { current.index == .min || index(of: time) > Int64(current.index) - Int64(slots) }

        func indices(startingIn interval: Range<Timestamp>) -> Range<Int64> {
            index(of: interval.lowerBound - nanosecond) + 1..<index(of: interval.upperBound - nanosecond) + 1
        }

        mutating func record(_ sample: Sample, latencyKey: Int) {
            let index = index(of: sample.time), newest = Int64(current.index)
            if current.index != .min, index == newest { return current.add(sample, latencyKey: latencyKey) }
            if current.index == .min || index > newest {
                if current.index != .min { close() }
                evict(through: index - Int64(slots))
                current = Bucket(index: Int32(index))
                return current.add(sample, latencyKey: latencyKey)
            }
            // Older than the newest bucket: a late sample, if the tier still keeps its step.
            guard index > newest - Int64(slots) else { return }
            addLate(sample, latencyKey: latencyKey, index: index)
        }

        /// Puts back buckets read from a checkpoint, oldest first: the newest becomes `current`.
        mutating func install(_ buckets: [Bucket<sketchBytes>]) {
            guard let newest = buckets.last else { return }
            // Closed at the level `close` leaves them at, whoever wrote them.
            let kept = buckets.dropLast().filter { Int64($0.index) > Int64(newest.index) - Int64(slots) }.map { bucket in
                var bucket = bucket
                bucket.latency.coarsen(toLevel: ProbeWindows.closedLevel)
                return bucket
            }
            closed.reserveCapacity(kept.count)
            arena.reserveCapacity(kept.reduce(0) { $0 + Int($1.latency.used) })
            if kept.contains(where: { $0.values.count > 0 }) { closedValues.reserveCapacity(kept.count) }
            for bucket in kept { append(bucket) }
            current = newest
        }

        private mutating func close() {
            ProbeWindows.grow(&closed, toHold: closed.count + 1, limit: slots)
            current.latency.coarsen(toLevel: ProbeWindows.closedLevel)
            append(current)
        }

        private mutating func append(_ bucket: Bucket<sketchBytes>) {
            let used = Int(bucket.latency.used)
            ProbeWindows.grow(&arena, toHold: arena.count + used, limit: .max)
            for i in 0..<used { arena.append(bucket.latency.bytes[i]) }
            if bucket.values.count > 0 || !closedValues.isEmpty {
                if closedValues.isEmpty {
                    closedValues.reserveCapacity(closed.capacity)
                    closedValues.append(contentsOf: repeatElement(ValueSummary(), count: closed.count))
                }
                ProbeWindows.grow(&closedValues, toHold: closedValues.count + 1, limit: slots)
                closedValues.append(bucket.values)
            }
            closed.append(StoredBucket(bucket))
        }

        /// Drops the closed buckets up to index `limit`.
        private mutating func evict(through limit: Int64) {
            var dropped = 0, bytes = 0
            while dropped < closed.count, Int64(closed[dropped].index) <= limit {
                bytes += Int(closed[dropped].used)
                dropped += 1
            }
            guard dropped > 0 else { return }
            closed.removeFirst(dropped)
            arena.removeFirst(bytes)
            guard !closedValues.isEmpty else { return }
            closedValues.removeFirst(dropped)
            if closedValues.allSatisfy({ $0.count == 0 }) { closedValues = [] }
        }

        /// Records a sample into a closed bucket (made if missing): rare, as samples arrive in time order.
        private mutating func addLate(_ sample: Sample, latencyKey: Int, index: Int64) {
            let position = firstPosition(atOrAfter: index)
            let offset = closed[..<position].reduce(0) { $0 + Int($1.used) }
            var bucket: Bucket<sketchBytes>
            if position < closed.count, Int64(closed[position].index) == index {
                bucket = self.bucket(at: position, offset: offset)
            } else {
                bucket = Bucket(index: Int32(index))
                ProbeWindows.grow(&closed, toHold: closed.count + 1, limit: slots)
                closed.insert(StoredBucket(bucket), at: position)
                if !closedValues.isEmpty { closedValues.insert(ValueSummary(), at: position) }
            }
            let oldUsed = Int(closed[position].used)
            bucket.add(sample, latencyKey: latencyKey)
            let used = Int(bucket.latency.used)
            ProbeWindows.grow(&arena, toHold: arena.count + used - oldUsed, limit: .max)
            arena.replaceSubrange(offset..<offset + oldUsed, with: (0..<used).map { bucket.latency.bytes[$0] })
            closed[position] = StoredBucket(bucket)
            if bucket.values.count > 0 {
                if closedValues.isEmpty {
                    closedValues.reserveCapacity(closed.capacity)
                    closedValues.append(contentsOf: repeatElement(ValueSummary(), count: closed.count))
                }
                closedValues[position] = bucket.values
            }
        }

        /// The first closed position whose index is at least `index`.
        private func firstPosition(atOrAfter index: Int64) -> Int {
            var low = 0, high = closed.count
            while low < high {
                let mid = (low + high) / 2
                if Int64(closed[mid].index) < index { low = mid + 1 } else { high = mid }
            }
            return low
        }

        /// The closed bucket at `position`, whose sketch starts at `offset` in the arena, rebuilt inline.
        private func bucket(at position: Int, offset: Int) -> Bucket<sketchBytes> {
            let stored = closed[position]
            var bucket = Bucket<sketchBytes>(index: stored.index)
            (bucket.count, bucket.failures) = (stored.count, stored.failures)
            if !closedValues.isEmpty { bucket.values = closedValues[position] }
            bucket.latency = LatencySketch(storedLevel: stored.storedLevel, lowestKey: stored.lowestKey,
                                           stream: arena.span.extracting(offset..<offset + Int(stored.used)))
            return bucket
        }

        func accumulate(_ indices: Range<Int64>, into totals: inout BucketTotals) {
            // Only the newest `slots` indices can still be held.
            let lower = Swift.max(indices.lowerBound, indices.upperBound - Int64(slots)), upper = indices.upperBound
            guard lower < upper else { return }
            var position = firstPosition(atOrAfter: lower)
            var offset = 0
            for i in 0..<position { offset += Int(closed[i].used) }
            let stream = arena.span
            while position < closed.count, Int64(closed[position].index) < upper {
                let stored = closed[position], used = Int(stored.used)
                totals.add(stored, values: closedValues.isEmpty ? nil : closedValues[position],
                           stream: stream.extracting(offset..<offset + used))
                (position, offset) = (position + 1, offset + used)
            }
            if current.index != .min, (lower..<upper).contains(Int64(current.index)) { totals.add(current) }
        }

        /// Stats of the buckets from the one holding `start` through the one holding `now`.
        func stats(from start: Timestamp, through now: Timestamp) -> WindowStats {
            var totals = BucketTotals()
            accumulate(index(of: start)..<index(of: now) + 1, into: &totals)
            return totals.stats
        }

        func lastValue(atOrBefore time: Timestamp) -> Double? {
            // Buckets from the one holding `time` back over `slots` steps, newest first.
            let newest = index(of: time), oldest = newest - Int64(slots)
            let currentIndex = Int64(current.index)
            if current.index != .min, currentIndex <= newest, currentIndex > oldest,
               current.values.count > 0, current.values.lastTime <= time {
                return current.values.last
            }
            guard !closedValues.isEmpty else { return nil }
            for position in closed.indices.reversed() {
                let index = Int64(closed[position].index)
                if index > newest { continue }
                if index <= oldest { break }
                let values = closedValues[position]
                if values.count > 0, values.lastTime <= time { return values.last }
            }
            return nil
        }
    }

    /// Bytes an array's buffer takes: its header and the capacity asked for (allocator rounding left out).
    static func bytes<T>(of array: [T]) -> Int {
        array.capacity == 0 ? 0 : arrayHeaderBytes + array.capacity * MemoryLayout<T>.stride
    }

    /// Makes room for `count` elements with 1/16 to spare, at most `limit`: appends alone would double the buffer.
    static func grow<T>(_ array: inout [T], toHold count: Int, limit: Int) {
        guard count > array.capacity else { return }
        array.reserveCapacity(Swift.min(limit, Swift.max(count + count / 16, 16)))
    }
}
