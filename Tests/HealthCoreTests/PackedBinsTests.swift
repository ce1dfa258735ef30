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

    /// Each stream takes the shorter mode: bins next to each other are coded key by key, scattered ones by their gaps.
    @Test(arguments: [("a run of neighbours", PackedBins.Mode.everyKey), ("jagged counts", .everyKey),
                      ("gaps of every size", .gaps), ("one bin", .gaps), ("counts far apart", .gaps)])
    func theShorterModeIsTaken(_ name: String, _ mode: PackedBins.Mode) throws {
        var bytes: [UInt8] = []
        try #require(Self.pack(Self.shapes.first { $0.0 == name }!.1, limit: 1 << 20)).append(to: &bytes)
        #expect(UInt64(bytes[PackedBins.prefixBytes] & 1) == mode.rawValue)
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
    /// The long ones take the `everyKey` mode, which the ratios of the hours need (with gaps alone: ~0.73 and ~0.79).
    @Test(arguments: [(3600, 3, 1.0, 0.65), (900, 3, 1.0, 0.6), (60, 3, 1.0, 0.7), (3600, 2, 0.3, 0.72), (60, 2, 0.3, 0.7)])
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

/// From format 3 a checkpoint holds packed streams as the tiers keep them; only what `pack` itself writes is read.
struct PackedBinsCheckpointTests {
    static let bins: PackedBinsTests.Bins = (200..<260).map { ($0, 5 + ($0 * 7) % 23) }
    static let total = bins.reduce(0) { $0 + $1.count }
    static let stream: [UInt8] = {
        var bytes: [UInt8] = []
        PackedBinsTests.pack(bins)!.append(to: &bytes)
        return bytes
    }()

    static func canonical(_ stream: [UInt8], lowestKey: Int = 200, level: Int = 2, total: Int = total) -> Bool {
        PackedBins.isCanonical(stream[...], lowestKey: lowestKey, level: level, latencies: total)
    }

    @Test func whatPackWritesIsTaken() {
        #expect(Self.canonical(Self.stream))
        #expect(Self.canonical(Self.stream, level: 3))
    }

    @Test func anythingElseIsRefused() {
        #expect(!Self.canonical(Self.stream + [0]), "a byte after the bins")
        #expect(!Self.canonical(Array(Self.stream.dropLast())), "cut short")
        #expect(!Self.canonical(Self.stream, total: Self.total + 1), "fewer latencies than the bucket's")
        #expect(!Self.canonical(Self.stream, total: Self.total - 1), "more latencies than the bucket's")
        var prefix = Self.stream
        prefix[1] &+= 1
        #expect(!Self.canonical(prefix), "a prefix naming another p95")
        for at in PackedBins.prefixBytes..<Self.stream.count {
            var flipped = Self.stream
            flipped[at] ^= 0x10
            #expect(!Self.canonical(flipped), "bit flipped in byte \(at)")
        }
    }

    /// Keys must exist at the sketch's level: at level 3 the highest is an eighth of level 0's.
    @Test func keysBeyondTheLevelAreRefused() {
        let maxKey = LatencyScale.coarsen(LatencyScale.clampKey, by: 3)
        let bins: PackedBinsTests.Bins = [(maxKey - 1, 4), (maxKey, 2)]
        var bytes: [UInt8] = []
        PackedBinsTests.pack(bins)!.append(to: &bytes)
        #expect(PackedBins.isCanonical(bytes[...], lowestKey: maxKey - 1, level: 3, latencies: 6))
        #expect(!PackedBins.isCanonical(bytes[...], lowestKey: maxKey, level: 3, latencies: 6))
        #expect(PackedBins.isCanonical(bytes[...], lowestKey: maxKey, level: 2, latencies: 6))
    }

    /// A tier's closed buckets come back from a checkpoint exactly as they were kept: headers, values and arena.
    @Test func tiersComeBackBitForBit() throws {
        var windows = ProbeWindows()
        var rng = RollingWindowTests.SplitMix64(state: 17)
        let start = Timestamp(seconds: 1_795_000_000)
        for i in 0..<(30 * 720) {
            windows.record(Sample(time: start + .seconds(Int64(5 * i)), latencyMs: rng.lognormal(median: 40, sigma: 1),
                                  value: i % 4 == 0 ? Double(i) : nil,
                                  failure: i % 50 == 0 ? ProbeFailure(.timeout, "t") : nil))
        }
        var w = ByteWriter()
        windows.encode(into: &w)
        var r = ByteReader(w.bytes)
        let restored = try ProbeWindows(decoding: &r)
        func same<T: ProbeWindows.ClosedBuckets>(_ a: T, _ b: T) -> Bool {
            a.closed.map(ClosedHeadersTests.fields) == b.closed.map(ClosedHeadersTests.fields) && a.arena == b.arena
                && a.closedValues.map(\.sum) == b.closedValues.map(\.sum)
        }
        #expect(windows.hours.closed.contains { $0.isPacked })
        #expect(same(windows.minutes, restored.minutes) && same(windows.fiveMinutes, restored.fiveMinutes))
        #expect(same(windows.quarterHours, restored.quarterHours) && same(windows.hours, restored.hours))
    }
}
