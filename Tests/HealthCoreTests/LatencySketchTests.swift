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
    static func exactQuantile(_ q: Double, _ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[Int(q * Double(sorted.count - 1))]
    }

    static func relativeError(_ estimate: Double?, _ exact: Double) -> Double {
        guard let estimate else { return .infinity }
        return abs(estimate - exact) / exact
    }

    /// DDSketch's guarantee for α = 1 %, with room for the rounding of the bin bounds.
    static let sketchAccuracy = 0.010_001
}

extension RollingWindowTests {
    @Suite struct LatencySketchTests {
        @Test(arguments: Skewed.allCases)
        func quantilesMatchExactOnSkewedData(_ distribution: Skewed) {
            let latencies = distribution.samples(100_000, seed: 7)
            var sketch = LatencySketch<4096>()
            for latency in latencies { sketch.add(latency) }

            #expect(sketch.count == latencies.count)
            for q in [0.5, 0.95, 0.99] {
                #expect(relativeError(sketch.quantile(q), exactQuantile(q, latencies)) <= sketchAccuracy, "q = \(q)")
            }
        }

        @Test func everyMagnitudeFromMicrosecondsToAnHourIsAccurate() {
            var latency = 0.001
            while latency <= 3_600_000 {
                var sketch = LatencySketch<24>()
                sketch.add(latency)
                #expect(relativeError(sketch.quantile(0.5), latency) <= sketchAccuracy, "\(latency) ms")
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
            #expect(relativeError(sketch.quantile(1), 10) <= sketchAccuracy)
        }

        @Test func largeCountsSurviveEncodingAndMerging() {
            var sketch = LatencySketch<24>()
            for _ in 0..<70_000 { sketch.add(42) }
            sketch.merge(sketch)
            #expect(sketch.count == 140_000)
            #expect(relativeError(sketch.quantile(0.99), 42) <= sketchAccuracy)
        }

        @Test func emptySketchHasNoQuantiles() {
            let sketch = LatencySketch<24>()
            #expect(sketch.count == 0)
            #expect(sketch.quantile(0.5) == nil)
        }

        @Test(arguments: Skewed.allCases)
        func mergeEqualsSketchOfTheUnion(_ distribution: Skewed) {
            let latencies = distribution.samples(20_000, seed: 11)
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

        @Test func aFullSketchFoldsSmallerLatenciesIntoItsLowestBin() {
            var sketch = LatencySketch<24>()
            // Latencies 1.5× apart are ~20 keys apart, so each entry takes two bytes and 20 cannot fit in 24 bytes.
            var latency = 100.0
            for _ in 0..<20 {
                sketch.add(latency)
                latency *= 1.5
            }
            let lowest = sketch.quantile(0)!
            #expect(lowest > 101, "the sketch must have collapsed")

            sketch.add(1)
            #expect(sketch.quantile(0) == lowest)
            #expect(sketch.count == 21)
        }

        @Test(arguments: Skewed.allCases)
        func collapsingKeepsUpperQuantilesAndCount(_ distribution: Skewed) {
            let latencies = distribution.samples(20_000, seed: 13)
            var small = LatencySketch<256>(), roomy = LatencySketch<4096>()
            for latency in latencies {
                small.add(latency)
                roomy.add(latency)
            }

            #expect(small.quantile(0)! > roomy.quantile(0)!, "the small sketch must have collapsed")
            #expect(small.count == latencies.count)
            for q in [0.95, 0.99] {
                #expect(relativeError(small.quantile(q), exactQuantile(q, latencies)) <= sketchAccuracy, "q = \(q)")
            }
            // Collapsed low bins only move mass upwards, so a low quantile can only be overestimated.
            #expect(small.quantile(0.01)! >= exactQuantile(0.01, latencies) * (1 - sketchAccuracy))
        }

        @Test func mergingCollapsedSketchesKeepsUpperQuantiles() {
            let latencies = Skewed.lognormal.samples(20_000, seed: 17)
            var merged = LatencySketch<256>()
            for chunk in stride(from: 0, to: latencies.count, by: 1000) {
                var part = LatencySketch<128>()
                for latency in latencies[chunk..<chunk + 1000] { part.add(latency) }
                merged.merge(part)
            }
            #expect(merged.count == latencies.count)
            #expect(relativeError(merged.quantile(0.99), exactQuantile(0.99, latencies)) <= sketchAccuracy)
        }
    }
}
