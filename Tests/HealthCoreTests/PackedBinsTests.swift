import Testing
@testable import HealthCore

/// The packed form of closed buckets' bins: what goes in comes out, it is smaller where it is used, and a damaged
/// stream can neither run past its end nor yield a bin the histogram would write outside its counts.
struct PackedBinsTests {
    typealias Bins = [(key: Int, count: Int)]

    static func pack(_ bins: Bins, limit: Int = 256) -> PackedBins.Packed? {
        PackedBins.pack(latencies: bins.reduce(0) { $0 + $1.count }, limit: limit) { body in
            for bin in bins { body(bin.key, bin.count) }
        }
    }

    static func unpack(_ packed: PackedBins.Packed, lowestKey: Int, total: Int) -> Bins {
        var bytes: [UInt8] = []
        packed.append(to: &bytes)
        return unpack(bytes, lowestKey: lowestKey, total: total)
    }

    static func unpack(_ bytes: [UInt8], lowestKey: Int, total: Int) -> Bins {
        var bins: Bins = []
        PackedBins.forEach(bytes.span, lowestKey: lowestKey, total: total) { bins.append(($0, $1)) }
        return bins
    }

    static let shapes: [(String, Bins)] = [
        ("one bin", [(40, 1)]),
        ("one big bin", [(1, 3600)]),
        ("a run of neighbours", (100..<160).map { ($0, 20 + ($0 % 7)) }),
        ("gaps of every size", [(1, 1), (3, 2), (10, 1), (11, 5), (200, 1), (4000, 9), (LatencyScale.clampKey, 1)]),
        ("key 0 (latencies of 0 ms) first", [(0, 12), (1, 3), (500, 1)]),
        ("counts far apart", [(10, 1), (11, 100_000), (12, 1), (13, Int(Int32.max)), (14, 2)]),
        ("jagged counts", (0..<60).map { (300 + $0, $0.isMultiple(of: 2) ? 1 : 120) }),
    ]

    @Test(arguments: shapes.indices)
    func binsComeBackAsTheyWent(_ shape: Int) throws {
        let (name, bins) = Self.shapes[shape]
        let total = bins.reduce(0) { $0 + $1.count }
        let packed = try #require(Self.pack(bins, limit: 1 << 20), "\(name)")
        let back = Self.unpack(packed, lowestKey: bins[0].key, total: total)
        #expect(back.map(\.key) == bins.map(\.key), "\(name)")
        #expect(back.map(\.count) == bins.map(\.count), "\(name)")
    }

    /// Packing is refused, not truncated, when it would not be shorter than the byte stream it replaces.
    @Test func packingThatSavesNothingIsRefused() throws {
        let jagged = Self.shapes.first { $0.0 == "jagged counts" }!.1
        let size = try #require(Self.pack(jagged)).count
        #expect(Self.pack(jagged, limit: size) == nil)
        #expect(Self.pack(jagged, limit: size + 1)?.count == size)
        // Longer than a stored length can say: 300 bins with large gaps and counts.
        let wide: Bins = (0..<300).map { ($0 * 15, 1 + ($0 % 2) * 70_000) }
        #expect(Self.pack(wide, limit: 1 << 20) == nil)
    }

    /// The reason for the code: closed buckets of the sizes the tiers hold, from the accuracy tests' distributions.
    @Test(arguments: [(3600, 3, 1.0, 0.8), (900, 3, 1.0, 0.75), (60, 3, 1.0, 0.7), (3600, 2, 0.3, 0.85), (60, 2, 0.3, 0.7)])
    func closedBucketsTakeFewerBytes(samples: Int, level: Int, sigma: Double, ratio: Double) throws {
        var rng = RollingWindowTests.SplitMix64(state: 7)
        var sketch = LatencySketch<255>()
        for _ in 0..<samples { sketch.add(rng.lognormal(median: 20, sigma: sigma)) }
        sketch.coarsen(toLevel: level)
        var bins: Bins = []
        sketch.forEachBin { bins.append(($0, $1)) }
        let packed = try #require(Self.pack(bins))
        #expect(Double(packed.count) <= ratio * Double(sketch.used), "\(packed.count) packed bytes against \(sketch.used)")
        #expect(Self.unpack(packed, lowestKey: bins[0].key, total: samples).map(\.count) == bins.map(\.count))
    }

    /// The prefix names the bins where the histogram finds p50, p95 and p99, or none when one is too far up.
    @Test(arguments: [0.3, 1.0, 2.5])
    func thePrefixHoldsTheQuantilesTheHistogramFinds(sigma: Double) throws {
        var rng = RollingWindowTests.SplitMix64(state: 13)
        for samples in [1, 2, 7, 60, 900, 3600] {
            var sketch = LatencySketch<255>()
            for _ in 0..<samples { sketch.add(rng.lognormal(median: 20, sigma: sigma)) }
            sketch.coarsen(toLevel: 2)
            var bins: Bins = []
            sketch.forEachBin { bins.append(($0, $1)) }
            guard let packed = Self.pack(bins) else { continue }
            var bytes: [UInt8] = []
            packed.append(to: &bytes)
            var histogram = LatencyHistogram()
            histogram.add(sketch)
            let expected = histogram.quantiles(0.5, 0.95, 0.99)
            if let keys = PackedBins.quantileKeys(bytes.span, lowestKey: bins[0].key) {
                let level = Int(sketch.storedLevel & 0x7F)
                #expect(LatencyScale.value(of: keys.0, level: level) == expected.0, "σ \(sigma), \(samples) samples")
                #expect(LatencyScale.value(of: keys.1, level: level) == expected.1, "σ \(sigma), \(samples) samples")
                #expect(LatencyScale.value(of: keys.2, level: level) == expected.2, "σ \(sigma), \(samples) samples")
            } else {
                #expect(bins.last!.key - bins[0].key >= 0xFF, "σ \(sigma), \(samples) samples")
            }
        }
    }

    /// Every prefix of a stream, and random bytes, end the walk inside the bytes with keys that only grow; counts
    /// never pass the total, so a histogram fed by it stays within its bins and its total.
    @Test func damagedStreamsStopAtTheirEnd() throws {
        let bins = Self.shapes.first { $0.0 == "a run of neighbours" }!.1
        let total = bins.reduce(0) { $0 + $1.count }
        var bytes: [UInt8] = []
        try #require(Self.pack(bins)).append(to: &bytes)
        for cut in 0..<bytes.count {
            let back = Self.unpack(Array(bytes[..<cut]), lowestKey: 100, total: total)
            #expect(back.count < bins.count)
            #expect(zip(back, bins).allSatisfy { $0.key == $1.key && $0.count == $1.count })
        }
        var rng = RollingWindowTests.SplitMix64(state: 11)
        for _ in 0..<20_000 {
            let random = (0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let total = Int(rng.next() % 5000) + 1
            let back = Self.unpack(random, lowestKey: 10, total: total)
            #expect(back.reduce(0) { $0 + $1.count } <= total)
            #expect(back.allSatisfy { $0.count >= 1 })
            #expect(zip(back, back.dropFirst()).allSatisfy { $0.key < $1.key })
        }
    }

    /// A damaged stream whose keys run past the last bin is cut there by the histogram.
    @Test func aHistogramIgnoresKeysPastItsBins() throws {
        var bytes: [UInt8] = []
        try #require(Self.pack([(0, 1), (1, 1)])).append(to: &bytes)
        var histogram = LatencyHistogram()
        histogram.add(packed: bytes.span, lowestKey: LatencyScale.keyCount - 1, level: 0, latencies: 2)
        #expect(histogram.quantiles(0, 0.5, 1).0 == LatencyScale.value(of: LatencyScale.keyCount - 1, level: 0))
        #expect(histogram.quantiles(0, 0.5, 1).2 == LatencyScale.value(of: LatencyScale.keyCount - 1, level: 0))
    }
}
