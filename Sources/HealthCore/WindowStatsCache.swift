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
        let start = Self.start(of: window, now: now)
        if ring.covers(from: start) { return nil }
        let step = step(of: tier(covering: window, from: start))
        return BucketSpan(step: step.nanoseconds, first: start.stepIndex(step), last: now.stepIndex(step))
    }
}
