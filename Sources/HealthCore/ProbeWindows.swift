/// Aggregates over one window of a probe's samples. 72 bytes, not the 160 of two counts and nine optionals: every
/// snapshot holds one per probe and window, and the engine's cache as many again. No quantile or value is NaN
/// (values are finite or not recorded), so NaN stands for none.
package struct WindowStats: Sendable, Equatable {
    /// Samples in the window.
    package var count: Int
    /// Failed samples in the window.
    package var failures: Int
    /// p50, p95, p99, then value min, max, avg and last; NaN for none.
    private var figures: InlineArray<7, Double>

    /// (count − failures) / count; nil when the window is empty.
    package var availability: Double? { count > 0 ? Double(count - failures) / Double(count) : nil }
    /// failures / count; nil when the window is empty.
    package var errorRate: Double? { count > 0 ? Double(failures) / Double(count) : nil }
    /// Median latency in ms over successful samples; nil when there are none.
    package var latencyP50: Double? { figure(0) }
    /// 95th percentile latency in ms over successful samples; nil when there are none.
    package var latencyP95: Double? { figure(1) }
    /// 99th percentile latency in ms over successful samples; nil when there are none.
    package var latencyP99: Double? { figure(2) }
    /// Smallest reported value; nil when no sample carried one.
    package var valueMin: Double? { figure(3) }
    /// Largest reported value; nil when no sample carried one.
    package var valueMax: Double? { figure(4) }
    /// Mean reported value; nil when no sample carried one.
    package var valueAvg: Double? { figure(5) }
    /// Newest reported value; nil when no sample carried one.
    package var valueLast: Double? { figure(6) }

    /// Stats from totals; availability and error rate are derived from `count` and `failures`.
    package init(count: Int = 0, failures: Int = 0,
                latencyP50: Double? = nil, latencyP95: Double? = nil, latencyP99: Double? = nil,
                valueMin: Double? = nil, valueMax: Double? = nil, valueAvg: Double? = nil, valueLast: Double? = nil) {
        (self.count, self.failures) = (count, failures)
        figures = [latencyP50 ?? .nan, latencyP95 ?? .nan, latencyP99 ?? .nan,
                   valueMin ?? .nan, valueMax ?? .nan, valueAvg ?? .nan, valueLast ?? .nan]
    }

    private func figure(_ i: Int) -> Double? { figures[i].isNaN ? nil : figures[i] }

    package static func == (a: Self, b: Self) -> Bool {
        a.count == b.count && a.failures == b.failures && (0..<7).allSatisfy { a.figure($0) == b.figure($0) }
    }

    /// The latency quantiles kept: p50, p95 and p99, in that order, however a window is answered.
    static let quantiles = (0.5, 0.95, 0.99)

    /// The latency quantile for q ∈ `quantiles`; nil for any other q.
    package func latency(quantile q: Double) -> Double? {
        switch q {
        case Self.quantiles.0: latencyP50
        case Self.quantiles.1: latencyP95
        case Self.quantiles.2: latencyP99
        default: nil
        }
    }

    init(count: Int, failures: Int, values: ProbeWindows.ValueSummary,
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

    // The raw samples of the last 6 minutes, at most 310, keep 5m windows exact up to 1 Hz. Sketch bytes
    // per bucket are what 1 Hz of lognormal σ = 1 latencies needs at α₃ = 1.92 %, whose bins are 3.8 % wide: a
    // bucket's samples fall into ~45, ~100, ~130 and ~155 distinct bins for 1m, 5m, 15m and 1h, at one byte each; the
    // worst of 10⁵ / 3·10⁴ / 10⁴ / 3·10³ simulated buckets took 59 / 119 / 145 / 170 bytes. With the 56 bytes of an
    // inline bucket's other fields and the sketch's 5, capacities ≡ 3 (mod 8) leave no padding. Closed buckets take
    // their sketch's bytes, packed, and an 8-byte header: 7 full days of σ = 1 at 1 Hz take ~38 KB, of σ = 0.3 ~29 KB,
    // of σ = 1 at 10 s ~25 KB (`healthd-bench windows-bytes`).
    var ring = RawRing()
    var minutes = Tier<59>(step: .minutes(1), span: .hours(1))
    var fiveMinutes = Tier<123>(step: .minutes(5), span: .hours(6))
    var quarterHours = Tier<147>(step: .minutes(15), span: .hours(24))
    var hours = Tier<171>(step: .hours(1), span: retention)
    /// Days merged from `hours` (see `mergeCompleteDays`), while `mergesDays`.
    var days = MergedBuckets(step: ProbeWindows.day)
    /// The newest day `mergeCompleteDays` has looked at.
    var daysMergedThrough = Int64.min
    /// Whether days are kept: only windows longer than a day read them, and a probe none of whose windows is that long
    /// is spared their ~1–2 KiB (`Monitor` decides from its rules).
    var mergesDays = true  // changed through `keepDays`
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
        ring.append(sample, newest: newest!)
        let latencyKey = sample.ok ? LatencyScale.key(for: sample.latencyMs) : 0  // looked up once for all tiers
        minutes.record(sample, latencyKey: latencyKey)
        fiveMinutes.record(sample, latencyKey: latencyKey)
        quarterHours.record(sample, latencyKey: latencyKey)
        hours.record(sample, latencyKey: latencyKey)
        mergeCompleteDays()
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
        case .minutes: minutes.stats(from: start, through: now, via: fiveMinutes)
        case .fiveMinutes: fiveMinutes.stats(from: start, through: now, via: quarterHours)
        case .quarterHours: quarterHours.stats(from: start, through: now, via: hours)
        case .hours: hours.stats(from: start, through: now, via: days)
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

    /// The step of a tier's buckets (a switch, not `any RollupTier`, which would box a copy of the tier).
    func step(of tier: TierName) -> TimeSpan {
        switch tier {
        case .minutes: minutes.step
        case .fiveMinutes: fiveMinutes.step
        case .quarterHours: quarterHours.step
        case .hours: hours.step
        }
    }

    /// The time a tier keeps.
    func span(of tier: TierName) -> TimeSpan {
        switch tier {
        case .minutes: minutes.span
        case .fiveMinutes: fiveMinutes.span
        case .quarterHours: quarterHours.span
        case .hours: hours.span
        }
    }

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
        let aligned = [TierName.minutes, .fiveMinutes, .quarterHours, .hours].last {
            step.nanoseconds % self.step(of: $0).nanoseconds == 0 && span(of: $0) >= range
        }
        if aligned == nil, ring.covers(from: oldest) {
            return starts.map { Point(start: $0, stats: ring.stats(in: $0..<$0 + step)) }
        }
        // Called by its type: through `any RollupTier` the code runs unspecialized.
        return switch aligned ?? tier(covering: range, from: oldest) {
        case .minutes: minutes.points(starting: starts, step: step)
        case .fiveMinutes: fiveMinutes.points(starting: starts, step: step)
        case .quarterHours: quarterHours.points(starting: starts, step: step)
        case .hours: hours.points(starting: starts, step: step)
        }
    }

    /// Bytes this history occupies now: inline fields (the newest bucket of each tier among them), the ring and every
    /// tier's closed buckets. It grows with what the probe has seen, up to what seven full days take.
    package var approximateBytes: Int {
        MemoryLayout<Self>.size + ring.approximateBytes + tiers.reduce(0) { $0 + $1.approximateBytes } + days.approximateBytes
    }

    /// `approximateBytes` by part, for the benchmark: inline fields, ring, each tier finest first, days.
    package var byteBreakdown: [(part: String, bytes: Int)] {
        [("inline", MemoryLayout<Self>.size), ("ring", ring.approximateBytes)]
            + zip(["1m", "5m", "15m", "1h"], tiers).map { ($0, $1.approximateBytes) } + [("days", days.approximateBytes)]
    }

    static let nanosecond = TimeSpan(nanoseconds: 1)

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

}
