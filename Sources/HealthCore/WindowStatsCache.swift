import Synchronization

/// Window stats for snapshots, reused while they cannot have changed: a window served by a tier
/// merges whole buckets, so its stats stay the same as long as no sample was recorded and the
/// window still spans the same buckets — for a 24 h window, fifteen minutes at a time. Snapshots
/// are published on every change, so this spares re-merging a day of latency sketches per probe
/// per publish. Exact: the same inputs, the same answer. Shared by copies of a monitor, which is
/// safe because a history's revision is unique across all of them.
final class WindowStatsCache: Sendable {
    private struct Key: Hashable {
        var probe: Int
        var window: Int64
    }

    private struct Slot {
        var revision: UInt64
        var buckets: ProbeWindows.BucketSpan
        var stats: WindowStats
    }

    private let slots = Mutex<[Key: Slot]>([:])

    func stats(of windows: ProbeWindows, revision: UInt64, probe: Int, over window: TimeSpan, now: Timestamp) -> WindowStats {
        guard let buckets = windows.bucketSpan(over: window, now: now) else { return windows.stats(over: window, now: now) }
        let key = Key(probe: probe, window: window.nanoseconds)
        if let slot = slots.withLock({ $0[key] }), slot.revision == revision, slot.buckets == buckets { return slot.stats }
        let stats = windows.stats(over: window, now: now)
        slots.withLock { $0[key] = Slot(revision: revision, buckets: buckets, stats: stats) }
        return stats
    }
}

/// Revisions of probe histories, unique across every monitor and copy in the process.
private let revisions = Atomic<UInt64>(0)

func nextRevision() -> UInt64 { revisions.add(1, ordering: .relaxed).newValue }

extension ProbeWindows {
    /// Which tier and buckets `stats(over:now:)` merges for this window; nil when the raw ring answers it.
    struct BucketSpan: Equatable {
        var step: Int64
        var first: Int64
        var last: Int64
    }

    func bucketSpan(over window: TimeSpan, now: Timestamp) -> BucketSpan? {
        let start = now - max(window, TimeSpan(nanoseconds: 0)) + TimeSpan(nanoseconds: 1)
        if ring.covers(from: start) { return nil }
        // The same choice of tier as `stats(over:now:)`.
        let step = minutes.span >= window && minutes.keeps(start) ? minutes.step
            : fiveMinutes.span >= window && fiveMinutes.keeps(start) ? fiveMinutes.step
            : quarterHours.span >= window && quarterHours.keeps(start) ? quarterHours.step : hours.step
        func index(_ t: Timestamp) -> Int64 {
            let (q, r) = t.nanoseconds.quotientAndRemainder(dividingBy: step.nanoseconds)
            return r < 0 ? q - 1 : q
        }
        return BucketSpan(step: step.nanoseconds, first: index(start), last: index(now))
    }
}
