extension ProbeWindows.Tier {
    /// Stats of the buckets from the one holding `start` through the one holding `now`, each run of them that one
    /// bucket of `coarse` holds exactly taken as that bucket.
    ///
    /// A 24 h window is 97 quarter-hours but ~23 hours: merging the hours decodes a third of the bins, and since closed
    /// sketches are packed (see `PackedBins`), decoding is what a query costs. Same answer: a coarse bucket stands in
    /// only for a whole run of closed buckets with its count and failures (so the same samples: a tier that dropped a
    /// late one would differ), no folded bins on either side, and a level no coarser than the finest buckets' coarsest,
    /// which the merge comes to anyway; bins nest, so the merged histogram is the same.
    func stats(from start: Timestamp, through now: Timestamp, via coarse: some ProbeWindows.ClosedBuckets) -> WindowStats {
        var totals = ProbeWindows.BucketTotals()
        forEachPiece(index(of: start)..<index(of: now) + 1, via: coarse) { piece in
            switch piece {
            case let .fine(positions, offset): addClosed(positions, offset: offset, into: &totals)
            case let .coarse(position, offset): coarse.addClosed(position..<position + 1, offset: offset, into: &totals)
            case .current:
                totals.add(current)
            }
        }
        return totals.stats
    }

    /// What a merge of the buckets with `indices` takes, oldest first.
    enum MergePiece: Equatable {
        /// Closed buckets at these positions, the first one's sketch at `offset` in the arena.
        case fine(Range<Int>, offset: Int)
        /// The coarse tier's closed bucket at this position, its sketch at `offset` in that tier's arena.
        case coarse(Int, offset: Int)
        /// The newest bucket, inline.
        case current
    }

    /// Calls `body` with the pieces that merge the buckets with `indices`: runs of closed buckets, each run that one
    /// closed bucket of `coarse` holds exactly given as that bucket instead.
    func forEachPiece(_ indices: Range<Int64>, via coarse: some ProbeWindows.ClosedBuckets, _ body: (MergePiece) -> Void) {
        let (lower, upper) = (held(indices).lowerBound, indices.upperBound)
        guard lower < upper else { return }
        let ratio = coarse.step.nanoseconds / step.nanoseconds
        precondition(ratio > 1 && coarse.step.nanoseconds % step.nanoseconds == 0, "a coarse tier's step is a multiple")

        var first = firstPosition(atOrAfter: lower), end = first
        while end < closed.count, closed.index(at: end) < upper { end += 1 }
        // The level the merge comes to, and whether any bins were folded.
        var level = 0, folded = false
        for position in first..<end {
            let stored = closed[position]
            level = Swift.max(level, stored.level)
            folded = folded || stored.storedLevel & 0x80 != 0
        }
        let currentInRange = current.index != .min && (lower..<upper).contains(Int64(current.index))
        if currentInRange {
            level = Swift.max(level, Int(current.latency.storedLevel & 0x7F))
            folded = folded || current.latency.hasFoldedLowestBins
        }

        var offset = closed.usedBytes(before: first)
        var coarseCursor = Cursor(buckets: coarse)
        while first < end {
            // The run of closed buckets that share a coarse bucket with the one at `first`.
            let group = closed.index(at: first).floorDivided(by: ratio)
            var runEnd = first, runBytes = 0, count: UInt32 = 0, failures: UInt32 = 0
            while runEnd < end, closed.index(at: runEnd).floorDivided(by: ratio) == group {
                let stored = closed[runEnd]
                (count, failures) = (count &+ stored.count, failures &+ stored.failures)
                runBytes += Int(stored.used)
                runEnd += 1
            }
            let whole = group * ratio >= lower && (group + 1) * ratio <= upper
                && !(currentInRange && Int64(current.index).floorDivided(by: ratio) == group)
            if !folded, whole, let (position, coarseOffset) = coarseCursor.find(group),
               case let stand = coarse.closed[position], stand.count == count, stand.failures == failures,
               stand.level <= level, stand.storedLevel & 0x80 == 0 {
                body(.coarse(position, offset: coarseOffset))
            } else {
                body(.fine(first..<runEnd, offset: offset))
            }
            (first, offset) = (runEnd, offset + runBytes)
        }
        if currentInRange { body(.current) }
    }

    /// Walks closed buckets in ascending index, keeping each one's arena offset.
    private struct Cursor<Buckets: ProbeWindows.ClosedBuckets> {
        let buckets: Buckets
        var position = 0, offset = 0

        /// The position and arena offset of the closed bucket of `index`, if held; indices asked must not decrease.
        mutating func find(_ index: Int64) -> (position: Int, offset: Int)? {
            while position < buckets.closed.count, buckets.closed.index(at: position) < index {
                offset += buckets.closed.used(at: position)
                position += 1
            }
            guard position < buckets.closed.count, buckets.closed.index(at: position) == index else { return nil }
            return (position, offset)
        }
    }
}
