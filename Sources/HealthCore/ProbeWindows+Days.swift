extension ProbeWindows {
    /// Whole days of the hour tier merged into one bucket each, for windows longer than a day: a 7 d window then
    /// decodes ~6 days and the hours at its ends rather than 169 hours (see `Tier.stats(from:through:via:)`, which uses a
    /// day only while its counts are its hours'). Built when a day's last hour closes and when history is restored, so
    /// checkpoints do not hold them. A day whose packed bins would not fit a stored bucket is left out.
    mutating func mergeCompleteDays() {
        guard mergesDays, hours.current.index != .min else { return }
        let hoursPerDay = Self.day.nanoseconds / hours.step.nanoseconds
        // The newest complete day: the one before the day of the newest hour.
        let newestDay = Int64(hours.current.index).floorDivided(by: hoursPerDay) - 1
        // The oldest day all of whose hours the hour tier still keeps (⌈first kept hour / hours a day⌉): an older one
        // could not be whole in a window.
        let firstKeptHour = Int64(hours.current.index) - Int64(hours.slots) + 1
        let oldestDay = -(-firstKeptHour).floorDivided(by: hoursPerDay)
        days.dropClosed(before: oldestDay)
        guard newestDay > daysMergedThrough else { return }
        defer { daysMergedThrough = newestDay }
        var totals = BucketTotals()
        var day = Swift.max(oldestDay, daysMergedThrough + 1)
        while day <= newestDay {
            totals.removeAll()
            hours.accumulate(day * hoursPerDay..<(day + 1) * hoursPerDay, into: &totals)
            if totals.count > 0 { days.append(index: day, totals) }
            day += 1
        }
    }

    /// Starts or stops keeping days; started, they are merged from the hours at once.
    package mutating func keepDays(_ keep: Bool) {
        guard keep != mergesDays else { return }
        mergesDays = keep
        (days, daysMergedThrough) = (MergedBuckets(step: Self.day), .min)
        mergeCompleteDays()
    }

    /// The step of `days`.
    static let day = TimeSpan.days(1)
}

extension ProbeWindows {
    /// Closed buckets merged from a finer tier's, with no bucket being recorded into.
    struct MergedBuckets: ClosedBuckets {
        let step: TimeSpan
        var closed = ClosedHeaders()
        var closedValues: [ValueSummary] = []
        var arena: [UInt8] = []

        var approximateBytes: Int {
            closed.approximateBytes + ProbeWindows.bytes(of: closedValues) + ProbeWindows.bytes(of: arena)
        }

        /// Appends a bucket holding `totals` as the newest; nothing when its packed bins would not fit a stored bucket.
        mutating func append(index: Int64, _ totals: BucketTotals) {
            let merged = totals.latency.merged
            var lowestKey = -1
            let packed = PackedBins.pack(latencies: merged.total, limit: PackedBins.maxBytes + 1) { body in
                merged.forEachBin { key, count in
                    if lowestKey < 0 { lowestKey = key }
                    body(key, count)
                }
            }
            guard let index32 = Int32(exactly: index), let packed else { return }
            ProbeWindows.growArena(&arena, toHold: arena.count + packed.count)
            packed.append(to: &arena)
            appendValues(totals.values, limit: .max)
            closed.append(StoredBucket(
                index: index32, count: UInt32(clamping: totals.count), failures: UInt32(clamping: totals.failures),
                lowestKey: UInt16(Swift.max(lowestKey, 0)), used: packed.count,
                storedLevel: UInt8(merged.level) | StoredBucket.packedFlag))
        }
    }
}
