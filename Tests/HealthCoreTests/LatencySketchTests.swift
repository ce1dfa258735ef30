import HealthCore
import Testing

/// Deterministic skewed latency data and exact answers for the latency sketch and probe window suites, which are
/// nested here so that none of these names can clash with other test files in the module.
enum RollingWindowTests {
    /// Deterministic PRNG (SplitMix64) so accuracy tests always see the same data.
    struct SplitMix64 {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// Uniform in [0, 1).
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

        /// Standard normal, approximated by the sum of 12 uniforms (Irwin–Hall): Box–Muller would need `log`.
        mutating func normal() -> Double { (0..<12).reduce(-6) { sum, _ in sum + uniform() } }

        /// Lognormal latency in ms with the given median and σ.
        mutating func lognormal(median: Double, sigma: Double) -> Double { median * exponential(sigma * normal()) }
    }

    /// Skewed latency distributions the sketch must handle.
    enum Skewed: CaseIterable, Sendable {
        case lognormal  // median 50 ms, σ = 1: p99 is ~10× p50
        case bimodal    // 70 % cache hits around 20 ms, 30 % misses around 300 ms

        func draw(_ rng: inout SplitMix64) -> Double {
            switch self {
            case .lognormal: rng.lognormal(median: 50, sigma: 1)
            case .bimodal:
                rng.uniform() < 0.7 ? rng.lognormal(median: 20, sigma: 0.2) : rng.lognormal(median: 300, sigma: 0.3)
            }
        }

        func samples(_ count: Int, seed: UInt64) -> [Double] {
            var rng = SplitMix64(state: seed)
            return (0..<count).map { _ in draw(&rng) }
        }
    }

    /// e^x by range reduction and a Taylor series (no Foundation); relative error ~1e-15.
    static func exponential(_ x: Double) -> Double {
        let ln2 = 0.693_147_180_559_945_3
        let n = Int(x / ln2 + (x < 0 ? -0.5 : 0.5))
        let r = x - Double(n) * ln2
        var term = 1.0, sum = 1.0
        for i in 1...20 {
            term *= r / Double(i)
            sum += term
        }
        return Double(sign: .plus, exponent: n, significand: sum)
    }

    /// The order statistic at the rank the sketch uses: ⌊q · (n − 1)⌋ of the sorted values.
    static func exactQuantile(_ q: Double, _ values: [Double]) -> Double { orderStatistic(q, values.sorted()) }

    /// `exactQuantile` of values already sorted.
    static func orderStatistic(_ q: Double, _ sorted: [Double]) -> Double { sorted[Int(q * Double(sorted.count - 1))] }

    static func relativeError(_ estimate: Double?, _ exact: Double) -> Double {
        guard let estimate else { return .infinity }
        return abs(estimate - exact) / exact
    }

    /// The sketches' finest accuracy, α₀, with room for the rounding of the bin bounds.
    static let baseAccuracy = 0.002_401

    /// α₃ = 1.9198 %, the coarsest level's accuracy: what any quantile of a sketch or a window keeps, however wide
    /// the data, as long as no lowest bins were folded.
    static let coarsestAccuracy = 0.019_2

    /// Whether `estimate` is within `sketch`'s current accuracy (plus rounding) of `exact`.
    static func withinAccuracy<let capacity: Int>(_ estimate: Double?, _ exact: Double,
                                                  of sketch: LatencySketch<capacity>) -> Bool {
        relativeError(estimate, exact) <= sketch.relativeAccuracy + 1e-9
    }
}

extension RollingWindowTests {
    @Suite struct LatencySketchTests {
        @Test(arguments: Skewed.allCases)
        func quantilesMatchExactOnSkewedData(_ distribution: Skewed) {
            let latencies = distribution.samples(20_000, seed: 7)
            var sketch = LatencySketch<2048>()
            for latency in latencies { sketch.add(latency) }

            #expect(sketch.count == latencies.count)
            #expect(sketch.relativeAccuracy <= 0.005 && !sketch.hasFoldedLowestBins)
            for q in [0.01, 0.5, 0.95, 0.99] {
                #expect(withinAccuracy(sketch.quantile(q), exactQuantile(q, latencies), of: sketch), "q = \(q)")
            }
        }

        @Test func everyMagnitudeFromMicrosecondsToAnHourIsAccurate() {
            var latency = 0.001
            while latency <= 3_600_000 {
                var sketch = LatencySketch<24>()
                sketch.add(latency)
                #expect(relativeError(sketch.quantile(0.5), latency) <= baseAccuracy, "\(latency) ms")
                latency *= 1.37
            }
        }

        @Test func outOfRangeLatenciesClampToTheEnds() {
            var sketch = LatencySketch<24>()
            sketch.add(1e-9)
            sketch.add(1e12)
            #expect(sketch.quantile(0)! <= 0.001)
            #expect(sketch.quantile(1)! >= 3_600_000 * 0.99)
            #expect(sketch.quantile(1)! < 3_600_000 * 1.03)
        }

        @Test func zeroAndNegativeLatenciesGoToTheZeroBucket() {
            var sketch = LatencySketch<24>()
            for latency in [0, -3, 0, 10.0] { sketch.add(latency) }
            #expect(sketch.count == 4)
            #expect(sketch.quantile(0.5) == 0)
            #expect(relativeError(sketch.quantile(1), 10) <= baseAccuracy)
        }

        @Test func largeCountsSurviveEncodingAndMerging() {
            var sketch = LatencySketch<24>()
            for _ in 0..<70_000 { sketch.add(42) }
            sketch.merge(sketch)
            #expect(sketch.count == 140_000)
            #expect(relativeError(sketch.quantile(0.99), 42) <= baseAccuracy)
        }

        @Test func emptySketchHasNoQuantiles() {
            let sketch = LatencySketch<24>()
            #expect(sketch.count == 0)
            #expect(sketch.quantile(0.5) == nil)
            #expect(sketch.relativeAccuracy <= baseAccuracy)
        }

        @Test(arguments: Skewed.allCases)
        func mergeEqualsSketchOfTheUnion(_ distribution: Skewed) {
            let latencies = distribution.samples(10_000, seed: 11)
            var union = LatencySketch<2048>(), left = LatencySketch<2048>(), right = LatencySketch<1024>()
            for (i, latency) in latencies.enumerated() {
                union.add(latency)
                if i.isMultiple(of: 3) { right.add(latency) } else { left.add(latency) }
            }
            left.add(0)
            union.add(0)

            var merged = left
            merged.merge(right)
            #expect(merged == union)
            #expect(merged != left)
        }

        @Test(arguments: Skewed.allCases)
        func aFullSketchHalvesItsResolutionAndKeepsEveryQuantile(_ distribution: Skewed) {
            let latencies = distribution.samples(20_000, seed: 13)
            var small = LatencySketch<384>()
            for latency in latencies { small.add(latency) }

            #expect(small.relativeAccuracy > 2 * baseAccuracy, "the small sketch must have collapsed twice or more")
            #expect(small.relativeAccuracy <= coarsestAccuracy && !small.hasFoldedLowestBins)
            #expect(small.count == latencies.count)
            // Unlike lowest-bin folding, uniform collapsing keeps the low and middle quantiles too.
            for q in [0, 0.01, 0.5, 0.95, 0.99, 1] {
                #expect(withinAccuracy(small.quantile(q), exactQuantile(q, latencies), of: small), "q = \(q)")
            }
        }

        @Test func eachCollapseSquaresGammaAsInUDDSketch() {
            // A sketch fed ever wider data passes through every level, each α = 2α′ / (1 + α′²) of the one before.
            var sketch = LatencySketch<64>()
            var accuracies = [sketch.relativeAccuracy]
            var latency = 10.0
            while !sketch.hasFoldedLowestBins {
                sketch.add(latency)
                latency *= 1.005  // about one level-0 key apart
                if sketch.relativeAccuracy != accuracies.last! { accuracies.append(sketch.relativeAccuracy) }
            }
            #expect(accuracies.count == 4)
            for (finer, coarser) in zip(accuracies, accuracies.dropFirst()) {
                #expect(abs(coarser - 2 * finer / (1 + finer * finer)) < 1e-12)
            }
            #expect(abs(accuracies[0] - 0.0024) < 1e-12)
            #expect(accuracies[3] <= coarsestAccuracy)
        }

        @Test func mergingSketchesAtDifferentLevelsUsesTheCoarserOne() {
            let latencies = Skewed.lognormal.samples(1_000, seed: 19)
            var coarse = LatencySketch<160>(), fine = LatencySketch<4096>()
            for latency in latencies[..<600] { coarse.add(latency) }
            for latency in latencies[600...] { fine.add(latency) }
            #expect(coarse.relativeAccuracy > fine.relativeAccuracy && !coarse.hasFoldedLowestBins)

            // The merge is canonical: either order gives the same bins at the coarser level.
            var coarseFirst = LatencySketch<512>(), fineFirst = LatencySketch<512>()
            coarseFirst.merge(coarse)
            coarseFirst.merge(fine)
            fineFirst.merge(fine)
            fineFirst.merge(coarse)
            #expect(coarseFirst == fineFirst)
            #expect(coarseFirst.relativeAccuracy == coarse.relativeAccuracy)
            #expect(coarseFirst.count == latencies.count)
            for q in [0.5, 0.95, 0.99] {
                #expect(withinAccuracy(coarseFirst.quantile(q), exactQuantile(q, latencies), of: coarseFirst))
            }
        }

        @Test func beyondTheCoarsestLevelAFullSketchFoldsSmallerLatenciesIntoItsLowestBin() {
            var sketch = LatencySketch<24>()
            // Latencies 1.5× apart are ≥ 10 keys apart even at the coarsest level, so each entry takes two bytes
            // there and 20 cannot fit in 24 bytes.
            var latency = 100.0
            for _ in 0..<20 {
                sketch.add(latency)
                latency *= 1.5
            }
            #expect(sketch.hasFoldedLowestBins)
            #expect(abs(sketch.relativeAccuracy - coarsestAccuracy) < 1e-4)
            let lowest = sketch.quantile(0)!
            #expect(lowest > 101, "the sketch must have folded")
            #expect(withinAccuracy(sketch.quantile(1), latency / 1.5, of: sketch))

            sketch.add(1)
            #expect(sketch.quantile(0) == lowest)
            #expect(sketch.count == 21)
        }

        @Test func mergingCollapsedSketchesKeepsEveryQuantile() {
            let latencies = Skewed.lognormal.samples(20_000, seed: 17)
            var merged = LatencySketch<512>()
            for chunk in stride(from: 0, to: latencies.count, by: 1000) {
                var part = LatencySketch<192>()
                for latency in latencies[chunk..<chunk + 1000] { part.add(latency) }
                #expect(!part.hasFoldedLowestBins)
                merged.merge(part)
            }
            #expect(merged.count == latencies.count)
            #expect(!merged.hasFoldedLowestBins)
            for q in [0.5, 0.95, 0.99] {
                #expect(withinAccuracy(merged.quantile(q), exactQuantile(q, latencies), of: merged), "q = \(q)")
            }
        }
    }
}
