// From format 3 a closed bucket whose tier kept its bins packed is checkpointed as they are: level byte, lowest key,
// length, then the packed stream. Writing is a copy; reading decodes the stream and packs its bins again, and only a
// stream that comes out byte for byte the same is taken: that is exactly what `PackedBins.pack` writes (ascending keys
// that exist at the sketch's level, counts that add up to the bucket's successes, a prefix naming its quantiles, the
// shorter mode, nothing after). Format 3's streams, all `gaps` without a mode bit, are taken packed again as this
// build packs them, when their bins pass the same checks.
extension PackedBins {
    /// Reads a packed sketch of `latencies` latencies: its stored level (folded flag kept), lowest key and stream.
    static func read(from r: inout ByteReader, latencies: Int, _ tier: String)
        throws(CheckpointError) -> (storedLevel: UInt8, lowestKey: UInt16, stream: ArraySlice<UInt8>) {
        let storedLevel = try r.readByte()
        guard storedLevel & 0x7F <= UInt8(LatencyScale.maxLevel) else { throw .corrupt("\(tier) packed sketch level \(storedLevel)") }
        let lowestKey = try r.readInt(max: LatencyScale.keyCount - 1, "\(tier) packed sketch lowest key")
        let used = try r.readInt(max: maxBytes, "\(tier) packed sketch size")
        let stored = try r.readBytes(used)
        let level = Int(storedLevel & 0x7F)
        let stream = latencies == 0 ? nil
            : r.version >= 4 ? (isCanonical(stored, lowestKey: lowestKey, level: level, latencies: latencies) ? stored : nil)
            : packedAgain(stored, modeBit: false, lowestKey: lowestKey, level: level, latencies: latencies).map(\.bytes)
        guard let stream else { throw .corrupt("\(tier) packed sketch does not hold its bucket's \(latencies) latencies") }
        return (storedLevel, UInt16(lowestKey), stream)
    }

    /// Whether `stream` is what `pack` makes of the bins it decodes to, `latencies` in all, with keys that exist at
    /// `level` (queries turn them into latencies unchecked).
    static func isCanonical(_ stream: ArraySlice<UInt8>, lowestKey: Int, level: Int, latencies: Int) -> Bool {
        guard let again = packedAgain(stream, modeBit: true, lowestKey: lowestKey, level: level, latencies: latencies),
              again.count == stream.count else { return false }
        return zip(again.bytes, stream).allSatisfy { $0 == $1 }
    }

    /// The bins `stream` decodes to packed again, if they ascend through keys that exist at `level` and add up to
    /// `latencies`. One pass, nothing allocated.
    private static func packedAgain(_ stream: ArraySlice<UInt8>, modeBit: Bool, lowestKey: Int, level: Int,
                                    latencies: Int) -> (bytes: ArraySlice<UInt8>, count: Int)? {
        let maxKey = LatencyScale.coarsen(LatencyScale.clampKey, by: level)
        let bytes = stream.span
        var total = 0, previous = -1, ascending = true
        let again = pack(latencies: latencies, limit: maxBytes + 1) { body in
            forEach(bytes, lowestKey: lowestKey, total: latencies, modeBit: modeBit) { key, count in
                ascending = ascending && key <= maxKey && key > previous
                (previous, total) = (key, total + count)
                body(key, count)
            }
        }
        guard ascending, total == latencies, let again else { return nil }
        var out: [UInt8] = []
        again.append(to: &out)
        return (out[...], out.count)
    }
}
