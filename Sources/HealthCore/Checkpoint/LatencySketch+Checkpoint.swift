// A sketch is checkpointed as its own byte stream, already compact: level byte, used, lowest key, then the `used`
// stream bytes. Decoding validates the stream completely, because queries later walk it unchecked
// (`Span.entry(at:after:)`) and index dense histograms by its keys.
extension LatencySketch {
    func encode(into w: inout ByteWriter) {
        w.append(storedLevel)
        w.appendVarint(Int(used))
        w.appendVarint(Int(lowestKey))
        for i in 0..<Int(used) { w.append(bytes[i]) }
    }

    /// Reads a sketch written by `encode(into:)` that must hold exactly `expectedCount` latencies (the bucket's
    /// successes), so a sketch inconsistent with its bucket is caught here rather than skewing quantiles.
    init(decoding r: inout ByteReader, expectedCount: Int) throws(CheckpointError) {
        self.init()
        storedLevel = try r.readByte()
        let level = Int(storedLevel & 0x7F)
        guard level <= LatencyScale.maxLevel else { throw .corrupt("latency sketch level \(level)") }
        used = UInt16(try r.readInt(max: capacity, "latency sketch size"))
        lowestKey = UInt16(try r.readInt(max: Int(UInt16.max), "latency sketch lowest key"))
        let stream = try r.readBytes(Int(used))
        for i in 0..<Int(used) { bytes[i] = stream[stream.startIndex + i] }
        let total = try Self.validate(bytes.span.extracting(0..<Int(used)), lowestKey: Int(lowestKey), level: level)
        guard total == expectedCount else {
            throw .corrupt("latency sketch holds \(total) latencies, its bucket \(expectedCount) successes")
        }
    }

    /// The number of latencies in a stream that decodes cleanly to its end, starting at `lowestKey`, with keys that
    /// fit the level's histogram.
    private static func validate(_ stream: Span<UInt8>, lowestKey: Int, level: Int) throws(CheckpointError) -> Int {
        // The first entry counts its gap from lowestKey − 1 and is the lowest key itself: a gap-1 header.
        guard stream.isEmpty || stream[0] < 0x80 else { throw .corrupt("latency sketch lowest key") }
        let maxKey = LatencyScale.coarsen(LatencyScale.clampKey, by: level)
        var offset = 0, key = lowestKey - 1, total = 0
        while offset < stream.count {
            let header = stream[offset]
            offset += 1
            // Most entries are one byte of either form; decoding both without branching on the data saves the
            // mispredictions that otherwise dominate restoring.
            let oneByte = header < 0x7F || header >= 0x80 && header & 0x70 != 0x70 && header & 0x0F != 0x0F
            guard oneByte else {
                let (gap, count) = try stream.checkedEntry(header: header, offset: &offset)
                (key, total) = (key + gap, total + count)
                continue
            }
            let short = header < 0x80
            key += short ? 1 : Int(header >> 4 & 0x07) + 2
            total += short ? Int(header) + 1 : Int(header & 0x0F) + 1
        }
        // Keys only grow, so the last is the highest.
        guard key <= maxKey else { throw .corrupt("latency sketch key \(key) at level \(level)") }
        return total
    }
}

// Bounds-checked reading of the entries longer than a byte (see `LatencySketch`), for untrusted bytes.
private extension Span<UInt8> {
    /// The (gap, count) of the entry whose `header` was read, `offset` moving past its varints; counts are bounded
    /// by a bucket's UInt32, gaps by the key space.
    func checkedEntry(header: UInt8, offset: inout Int) throws(CheckpointError) -> (gap: Int, count: Int) {
        if header < 0x80 { return (1, 128 + (try checkedVarint(maxBytes: 5, offset: &offset))) }
        let gapField = Int(header >> 4) & 0x07, countField = Int(header) & 0x0F
        let gap = gapField == 7 ? 9 + (try checkedVarint(maxBytes: 3, offset: &offset)) : gapField + 2
        return (gap, countField == 15 ? 16 + (try checkedVarint(maxBytes: 5, offset: &offset)) : countField + 1)
    }

    func checkedVarint(maxBytes: Int, offset: inout Int) throws(CheckpointError) -> Int {
        var value = 0
        for i in 0..<maxBytes {
            guard offset < count else { throw .corrupt("latency sketch entry runs past its size") }
            let byte = self[offset]
            offset += 1
            value |= Int(byte & 0x7F) << (7 * i)
            if byte < 0x80 { return value }
        }
        throw .corrupt("latency sketch varint too long")
    }
}
