/// Dense per-bin counts at one level: merging many sketches at query time costs O(bins) each and never collapses
/// more than the coarsest sketch did.
struct LatencyHistogram {
    private var counts = [Int](repeating: 0, count: LatencyScale.keyCount)  // indexed by key at `level`
    private var level = 0
    private var total = 0
    private var keys = 0..<0  // a range holding every non-zero count

    mutating func add<let capacity: Int>(_ sketch: LatencySketch<capacity>) {
        add(stream: sketch.bytes.span.extracting(0..<Int(sketch.used)), lowestKey: Int(sketch.lowestKey), level: sketch.level)
    }

    /// Adds the bins of a sketch's encoded stream (see `LatencySketch`) at `sketchLevel`.
    mutating func add(stream: Span<UInt8>, lowestKey: Int, level sketchLevel: Int) {
        add(lowestKey: lowestKey, level: sketchLevel) { forEachSketchBin(stream, lowestKey: lowestKey, $0) }
    }

    /// Adds the bins of a packed stream (see `PackedBins`) holding `latencies` latencies at `sketchLevel`.
    mutating func add(packed stream: Span<UInt8>, lowestKey: Int, level sketchLevel: Int, latencies: Int) {
        add(lowestKey: lowestKey, level: sketchLevel) { PackedBins.forEach(stream, lowestKey: lowestKey, total: latencies, $0) }
    }

    /// Adds the bins `forEachBin` yields in ascending key order, the first at `lowestKey`, keys at `sketchLevel`.
    @inline(__always)
    private mutating func add(lowestKey: Int, level sketchLevel: Int, _ forEachBin: ((Int, Int) -> Void) -> Void) {
        if sketchLevel > level { coarsen(to: sketchLevel) }
        let shift = level - sketchLevel, keyLimit = counts.count
        var added = 0, last = -1
        // The hot loop of window queries, hence the unchecked buffer; keys past it (which no stream that was written
        // holds) are dropped rather than written elsewhere.
        counts.withUnsafeMutableBufferPointer { counts in
            forEachBin { key, count in
                let key = LatencyScale.coarsen(key, by: shift)
                guard key < keyLimit else { return }
                counts[key] &+= count
                added &+= count
                last = key
            }
        }
        total += added
        guard last >= 0 else { return }
        // Keys ascend, so the first and last bins bound them.
        let first = LatencyScale.coarsen(lowestKey, by: shift)
        keys = keys.isEmpty ? first..<last + 1 : min(keys.lowerBound, first)..<max(keys.upperBound, last + 1)
    }

    /// Merges bins until the histogram is at `newLevel`.
    private mutating func coarsen(to newLevel: Int) {
        let shift = newLevel - level
        level = newLevel
        guard !keys.isEmpty else { return }
        // Keys only move down (⌈k / 2^shift⌉ ≤ k), onto slots already visited, so one ascending pass suffices.
        for key in keys {
            let count = counts[key]
            counts[key] = 0
            counts[LatencyScale.coarsen(key, by: shift)] += count
        }
        keys = LatencyScale.coarsen(keys.lowerBound, by: shift)..<LatencyScale.coarsen(keys.upperBound - 1, by: shift) + 1
    }

    /// Its level, total and non-empty bins, lowest key first (keys at that level).
    var merged: (level: Int, total: Int, forEachBin: ((Int, Int) -> Void) -> Void) {
        let (counts, keys) = (counts, keys)
        return (level, total, { body in for key in keys where counts[key] > 0 { body(key, counts[key]) } })
    }

    /// Empties the histogram, keeping its storage for the next merge.
    mutating func removeAll() {
        for key in keys { counts[key] = 0 }
        (level, total, keys) = (0, 0, 0..<0)
    }

    /// The value of the bin holding rank ⌊q · (total − 1)⌋; nil if empty.
    func quantile(_ q: Double) -> Double? { quantiles(q, q, q).0 }

    /// Three quantiles, q1 ≤ q2 ≤ q3, found in one pass over the bins.
    func quantiles(_ q1: Double, _ q2: Double, _ q3: Double) -> (Double?, Double?, Double?) {
        guard total > 0 else { return (nil, nil, nil) }
        let ranks = (LatencyScale.rank(of: q1, count: total), LatencyScale.rank(of: q2, count: total),
                     LatencyScale.rank(of: q3, count: total))
        var found = (-1, -1, -1)  // key 0 is a bin too
        var seen = 0, key = keys.lowerBound
        // Every rank is below `total`, so each is reached within `keys`.
        while true {
            seen += counts[key]
            if seen > ranks.0, found.0 < 0 { found.0 = key }
            if seen > ranks.1, found.1 < 0 { found.1 = key }
            if seen > ranks.2 { found.2 = key; break }
            key += 1
        }
        return (LatencyScale.value(of: found.0, level: level), LatencyScale.value(of: found.1, level: level),
                LatencyScale.value(of: found.2, level: level))
    }
}
