/// Window stats for snapshots, reused while they cannot have changed: a window served by a tier
/// merges whole buckets, so its stats stay the same as long as no sample was recorded and the
/// window still spans the same buckets — for a 24 h window, fifteen minutes at a time. Snapshots
/// are published on every change, so this spares re-merging a day of latency sketches per probe
/// per publish. Exact: the same inputs, the same answer. Kept by the one owner of a monitor (the
/// engine), and started anew when the configuration is reloaded: a probe's
/// index and revision say which history a slot came from only within one monitor.
package struct WindowStatsCache: Sendable {
    private struct Slot {
        var revision: UInt64
        var buckets: ProbeWindows.BucketSpan
        var stats: WindowStats

        /// Matches no window: no tier has a step of 0.
        static let empty = Slot(revision: 0, buckets: ProbeWindows.BucketSpan(step: 0, first: 0, last: 0), stats: WindowStats())
    }

    /// Slot `probe × windows + window`: a table, not a dictionary, whose buckets and load factor took ~60 % more.
    private var slots: [Slot] = []

    package init() {}

    /// Makes `count` slots, all empty when the number changes.
    mutating func prepare(slots count: Int) {
        guard slots.count != count else { return }
        slots = Array(repeating: .empty, count: count)
    }

    /// The stats of `window` over `windows`, from slot `slot` if it holds them (no slot, or one past those prepared, is not kept).
    mutating func stats(of windows: ProbeWindows, revision: UInt64, slot: Int?, over window: TimeSpan, now: Timestamp) -> WindowStats {
        guard let slot, let buckets = windows.bucketSpan(over: window, now: now) else { return windows.stats(over: window, now: now) }
        if slot < slots.count, slots[slot].revision == revision, slots[slot].buckets == buckets { return slots[slot].stats }
        let stats = windows.stats(over: window, now: now)
        if slot < slots.count { slots[slot] = Slot(revision: revision, buckets: buckets, stats: stats) }
        return stats
    }
}

extension ProbeWindows {
    /// Which tier and buckets `stats(over:now:)` merges for this window; nil when the raw ring answers it.
    struct BucketSpan: Equatable {
        var step: Int64
        var first: Int64
        var last: Int64
    }

    func bucketSpan(over window: TimeSpan, now: Timestamp) -> BucketSpan? {
        let start = Self.start(of: window, now: now)
        if ring.covers(from: start) { return nil }
        let step = step(of: tier(covering: window, from: start))
        return BucketSpan(step: step.nanoseconds, first: start.stepIndex(step), last: now.stepIndex(step))
    }
}
