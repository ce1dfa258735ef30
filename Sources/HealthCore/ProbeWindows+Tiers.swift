extension ProbeWindows {
    /// A tier seen without its sketch capacity, so queries can choose one at run time.
    protocol RollupTier {
        var step: TimeSpan { get }
        var span: TimeSpan { get }
        var approximateBytes: Int { get }
        func lastValue(atOrBefore time: Timestamp) -> Double?
    }

    /// Closed buckets, oldest first, their sketches packed one after the other in an arena.
    protocol ClosedBuckets {
        var step: TimeSpan { get }
        var closed: ClosedHeaders { get set }
        /// The closed buckets' value summaries, parallel to `closed`; empty while none of them has a value.
        var closedValues: [ValueSummary] { get set }
        var arena: [UInt8] { get set }
    }

    /// The buckets of one step, for the newest `slots` steps: the newest bucket inline, where samples are recorded,
    /// and the older ones closed, oldest first, their sketches packed at their size into one arena. So a tier takes
    /// what its buckets hold, not what they might: a quiet or narrow history costs a fraction of a busy, wide one.
    struct Tier<let sketchBytes: Int>: RollupTier, ClosedBuckets {
        let step: TimeSpan
        /// Steps kept, the newest one's included: span / step + 1.
        let slots: Int
        /// The newest bucket; index `.min` while there is none.
        var current = Bucket<sketchBytes>(index: .min)
        /// Older buckets, by index, all within `slots` of the newest.
        var closed = ClosedHeaders()
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
            closed.approximateBytes + ProbeWindows.bytes(of: closedValues) + ProbeWindows.bytes(of: arena)
        }

        /// The part of `indices` the tier can still hold: the newest `slots` of them.
        func held(_ indices: Range<Int64>) -> Range<Int64> {
            Swift.max(indices.lowerBound, indices.upperBound - Int64(slots))..<indices.upperBound
        }

        /// Index of the bucket holding `time`.
        func index(of time: Timestamp) -> Int64 { time.stepIndex(step) }

        /// Whether the bucket holding `time` is still kept (or would be): within `slots` of the newest.
        func keeps(_ time: Timestamp) -> Bool { current.index == .min || index(of: time) > Int64(current.index) - Int64(slots) }

        /// Indices of the buckets whose start lies in `interval`.
        func indices(startingIn interval: Range<Timestamp>) -> Range<Int64> {
            index(of: interval.lowerBound - nanosecond) + 1..<index(of: interval.upperBound - nanosecond) + 1
        }

        mutating func record(_ sample: Sample, latencyKey: Int) {
            let index = index(of: sample.time), newest = Int64(current.index)
            if current.index != .min, index == newest { return current.add(sample, latencyKey: latencyKey) }
            if current.index == .min || index > newest {
                // Oldest out first, so that a full tier's buffers take the new bucket where the old one was.
                let oldestKept = index - Int64(slots) + 1
                dropClosed(before: oldestKept)
                if current.index != .min, Int64(current.index) >= oldestKept { close() }
                current = Bucket(index: Int32(index))
                return current.add(sample, latencyKey: latencyKey)
            }
            // Older than the newest bucket: a late sample, if the tier still keeps its step.
            guard index > newest - Int64(slots) else { return }
            addLate(sample, latencyKey: latencyKey, index: index)
        }

        /// Puts back buckets read from a checkpoint: `recorded` ones as byte streams and closed ones whose bins the
        /// tier kept `packed` (checked by the reader), each oldest first; `newest`, recorded into, becomes `current`.
        mutating func install(recorded: [Bucket<sketchBytes>], packed: [PackedBucket], newest: Bucket<sketchBytes>) {
            let oldest = Int64(newest.index) - Int64(slots)
            let recorded = recorded.filter { Int64($0.index) > oldest }, packed = packed.filter { Int64($0.header.index) > oldest }
            // Room for the bucket that closes next too: a buffer that grew on the first close of every tier of every
            // probe after a restore would leave its old self as a hole among the others (~5 KiB a probe a minute on).
            let count = recorded.count + packed.count
            closed.grow(toHold: count + 1, limit: slots)
            // Room for the byte streams, then down to what the packed ones took.
            arena.reserveCapacity(recorded.reduce(0) { $0 + Int($1.latency.used) } + packed.reduce(0) { $0 + $1.stream.count })
            if recorded.contains(where: { $0.values.count > 0 }) || packed.contains(where: { $0.values.count > 0 }) {
                ProbeWindows.grow(&closedValues, toHold: count + 1, limit: slots)
            }
            appendClosed(recorded: recorded[...], packed: packed[...])
            arena = ProbeWindows.copy(of: arena, capacity: ProbeWindows.arenaCapacity(toHold: arena.count))
            current = newest
        }

        /// Applies a journal record's buckets from `changes.from` on (see `ProbeWindows.apply`): they replace what the tier
        /// holds from there, and the tier moves on to their newest as recording them did, closing its bucket before.
        mutating func apply(_ changes: Changes) {
            guard let newest = changes.recorded.last else { return }
            let oldestKept = Int64(newest.index) - Int64(slots) + 1
            // What the changes replace, then what their newest bucket pushes out: oldest out first, as in `record`.
            dropClosed(atOrAfter: changes.from)
            dropClosed(before: oldestKept)
            if current.index != .min, Int64(current.index) < changes.from, Int64(current.index) >= oldestKept { close() }
            let recorded = changes.recorded.dropLast().filter { Int64($0.index) >= oldestKept }
            let packed = changes.packed.filter { Int64($0.header.index) >= oldestKept }
            closed.grow(toHold: closed.count + recorded.count + packed.count + 1, limit: slots)
            appendClosed(recorded: recorded[...], packed: packed[...])
            current = newest
        }

        /// Closed buckets after those the tier holds, oldest first: `recorded` ones coarsened to the level `close` leaves
        /// them at (whoever wrote them), `packed` ones as they are, merged by index.
        private mutating func appendClosed(recorded: ArraySlice<Bucket<sketchBytes>>, packed: ArraySlice<PackedBucket>) {
            var (r, p) = (recorded.startIndex, packed.startIndex)
            while r < recorded.endIndex || p < packed.endIndex {
                if p == packed.endIndex || r < recorded.endIndex && recorded[r].index < packed[p].header.index {
                    var bucket = recorded[r]
                    bucket.latency.coarsen(toLevel: ProbeWindows.closedLevel)
                    append(bucket)
                    r += 1
                } else {
                    ProbeWindows.growArena(&arena, toHold: arena.count + packed[p].stream.count)
                    arena.append(contentsOf: packed[p].stream)
                    appendValues(packed[p].values, limit: slots)
                    closed.append(packed[p].header)
                    p += 1
                }
            }
        }

        private mutating func close() {
            closed.grow(toHold: closed.count + 1, limit: slots)
            current.latency.coarsen(toLevel: ProbeWindows.closedLevel)
            append(current)
        }

        private mutating func append(_ bucket: Bucket<sketchBytes>) {
            let packed = Self.pack(bucket)
            let used = packed?.count ?? Int(bucket.latency.used)
            ProbeWindows.growArena(&arena, toHold: arena.count + used)
            Self.appendStream(of: bucket.latency, packed: packed, to: &arena)
            appendValues(bucket.values, limit: slots)
            closed.append(StoredBucket(bucket, used: used, packed: packed != nil))
        }

        /// A closed sketch's bins packed, if that takes fewer bytes than its stream.
        private static func pack(_ bucket: Bucket<sketchBytes>) -> PackedBins.Packed? {
            PackedBins.pack(latencies: Int(bucket.count - bucket.failures), limit: Int(bucket.latency.used)) {
                bucket.latency.forEachBin($0)
            }
        }

        /// Appends the stream a closed sketch is kept as: `packed`, else its byte stream.
        private static func appendStream(of latency: LatencySketch<sketchBytes>, packed: PackedBins.Packed?, to out: inout [UInt8]) {
            if let packed { return packed.append(to: &out) }
            for i in 0..<Int(latency.used) { out.append(latency.bytes[i]) }
        }

        /// Records a sample into a closed bucket (made if missing): rare, as samples arrive in time order.
        private mutating func addLate(_ sample: Sample, latencyKey: Int, index: Int64) {
            let position = firstPosition(atOrAfter: index)
            let offset = closed.usedBytes(before: position)
            var bucket: Bucket<sketchBytes>
            if position < closed.count, closed.index(at: position) == index {
                bucket = self.bucket(at: position, offset: offset)
            } else {
                bucket = Bucket(index: Int32(index))
                closed.grow(toHold: closed.count + 1, limit: slots)
                closed.insert(StoredBucket(bucket, used: 0, packed: false), at: position)
                if !closedValues.isEmpty { closedValues.insert(ValueSummary(), at: position) }
            }
            let oldUsed = Int(closed[position].used)
            bucket.add(sample, latencyKey: latencyKey)
            // At the level every closed bucket is kept at, as `close` and a restore leave them, a new one included.
            bucket.latency.coarsen(toLevel: ProbeWindows.closedLevel)
            let packed = Self.pack(bucket)
            var stream: [UInt8] = []
            Self.appendStream(of: bucket.latency, packed: packed, to: &stream)
            ProbeWindows.growArena(&arena, toHold: arena.count + stream.count - oldUsed)
            arena.replaceSubrange(offset..<offset + oldUsed, with: stream)
            closed.replace(at: position, with: StoredBucket(bucket, used: stream.count, packed: packed != nil))
            if bucket.values.count > 0 {
                startValues()
                closedValues[position] = bucket.values
            }
        }

        /// The first closed position whose index is at least `index`.
        func firstPosition(atOrAfter index: Int64) -> Int {
            var low = 0, high = closed.count
            while low < high {
                let mid = (low + high) / 2
                if closed.index(at: mid) < index { low = mid + 1 } else { high = mid }
            }
            return low
        }

        /// The closed bucket at `position`, whose sketch starts at `offset` in the arena, rebuilt inline.
        func bucket(at position: Int, offset: Int) -> Bucket<sketchBytes> {
            let stored = closed[position]
            var bucket = Bucket<sketchBytes>(index: stored.index)
            (bucket.count, bucket.failures) = (stored.count, stored.failures)
            if !closedValues.isEmpty { bucket.values = closedValues[position] }
            bucket.latency = stored.latency(from: arena.span.extracting(offset..<offset + Int(stored.used)))
            return bucket
        }

        func accumulate(_ indices: Range<Int64>, into totals: inout BucketTotals) {
            let (lower, upper) = (held(indices).lowerBound, indices.upperBound)
            guard lower < upper else { return }
            let first = firstPosition(atOrAfter: lower)
            var end = first
            while end < closed.count, closed.index(at: end) < upper { end += 1 }
            addClosed(first..<end, offset: closed.usedBytes(before: first), into: &totals)
            if current.index != .min, (lower..<upper).contains(Int64(current.index)) { totals.add(current) }
        }

        /// A series' points: for each start (ascending, `step` apart), the buckets that start within its step. A point
        /// of one closed bucket takes its quantiles from the packed stream's prefix, without decoding it.
        func points(starting starts: [Timestamp], step: TimeSpan) -> [Point] {
            var totals = BucketTotals()
            var position = 0, offset = 0  // the first closed bucket not yet passed, and its arena offset
            let stream = arena.span
            return starts.map { start in
                let indices = indices(startingIn: start..<start + step)
                let (lower, upper) = (held(indices).lowerBound, indices.upperBound)
                while position < closed.count, closed.index(at: position) < lower {
                    (offset, position) = (offset + closed.used(at: position), position + 1)
                }
                var end = position, endOffset = offset
                while end < closed.count, closed.index(at: end) < upper {
                    (endOffset, end) = (endOffset + closed.used(at: end), end + 1)
                }
                defer { (position, offset) = (end, endOffset) }
                let withCurrent = current.index != .min && lower < upper && (lower..<upper).contains(Int64(current.index))
                if end == position + 1, !withCurrent, case let stored = closed[position], stored.isPacked,
                   let keys = PackedBins.quantileKeys(stream.extracting(offset..<endOffset), lowestKey: Int(stored.lowestKey)) {
                    let quantile = { (key: Int) in LatencyScale.value(of: key, level: stored.level) }
                    return Point(start: start, stats: WindowStats(
                        count: Int(stored.count), failures: Int(stored.failures), values: closedValues.isEmpty ? ValueSummary() : closedValues[position],
                        latency: (quantile(keys.0), quantile(keys.1), quantile(keys.2))))
                }
                totals.removeAll()
                addClosed(position..<end, offset: offset, into: &totals)
                if withCurrent { totals.add(current) }
                return Point(start: start, stats: totals.stats)
            }
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
                let index = closed.index(at: position)
                if index > newest { continue }
                if index <= oldest { break }
                let values = closedValues[position]
                if values.count > 0, values.lastTime <= time { return values.last }
            }
            return nil
        }
    }

}

extension ProbeWindows.ClosedBuckets {
    /// Adds the closed buckets at `positions`, the first one's sketch at `offset` in the arena, to `totals`.
    func addClosed(_ positions: Range<Int>, offset: Int, into totals: inout ProbeWindows.BucketTotals) {
        let stream = arena.span
        var offset = offset
        for position in positions {
            let stored = closed[position], used = Int(stored.used)
            totals.add(stored, values: closedValues.isEmpty ? nil : closedValues[position],
                       stream: stream.extracting(offset..<offset + used))
            offset += used
        }
    }

    /// Drops the closed buckets whose index is `index` or above.
    mutating func dropClosed(atOrAfter index: Int64) {
        var kept = closed.count, bytes = 0
        while kept > 0, closed.index(at: kept - 1) >= index {
            kept -= 1
            bytes += closed.used(at: kept)
        }
        guard kept < closed.count else { return }
        let dropped = closed.count - kept
        closed.removeLast(dropped)
        arena.removeLast(bytes)
        guard !closedValues.isEmpty else { return }
        closedValues.removeLast(dropped)
        if closedValues.allSatisfy({ $0.count == 0 }) { closedValues = [] }
    }

    /// Drops the closed buckets whose index is below `index`.
    mutating func dropClosed(before index: Int64) {
        var dropped = 0, bytes = 0
        while dropped < closed.count, closed.index(at: dropped) < index {
            bytes += closed.used(at: dropped)
            dropped += 1
        }
        guard dropped > 0 else { return }
        closed.removeFirst(dropped)
        arena.removeFirst(bytes)
        guard !closedValues.isEmpty else { return }
        closedValues.removeFirst(dropped)
        if closedValues.allSatisfy({ $0.count == 0 }) { closedValues = [] }
    }

    /// Gives every closed bucket an (empty) value summary, once one of them has a value.
    mutating func startValues() {
        guard closedValues.isEmpty else { return }
        closedValues.reserveCapacity(closed.capacity)
        closedValues.append(contentsOf: repeatElement(ProbeWindows.ValueSummary(), count: closed.count))
    }

    /// Keeps `values` for the closed bucket about to be appended: the summaries stay empty until one has a value,
    /// then hold one per bucket, with room for at most `limit`.
    mutating func appendValues(_ values: ProbeWindows.ValueSummary, limit: Int) {
        guard values.count > 0 || !closedValues.isEmpty else { return }
        startValues()
        ProbeWindows.grow(&closedValues, toHold: closedValues.count + 1, limit: limit)
        closedValues.append(values)
    }
}
