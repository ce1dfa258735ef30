/// The logarithmic bin layout shared by every latency sketch: DDSketch's mapping at a fine base accuracy, coarsened
/// uniformly by collapse levels as in UDDSketch.
///
/// At level 0 key k ≥ 1 is the bin (upperBounds[k − 2], upperBounds[k − 1]] ms, whose bounds are powers of
/// γ₀ = (1 + α₀) / (1 − α₀); key 0 holds latencies ≤ 0. Each level merges pairs of bins: key k at level L is key
/// ⌈k / 2⌉ at level L + 1, so a level-L bin spans γ_L = γ₀^(2^L) and its value is within
/// α_L = (γ_L − 1) / (γ_L + 1) of everything in it, with α_{L+1} = 2α_L / (1 + α_L²).
enum LatencyScale {
    /// α₀, chosen so that the coarsest level, 3, still guarantees α₃ ≈ 1.92 % (below the 2 % the windows promise).
    static let baseAccuracy = 0.0024
    /// Sketches never coarsen past this level; beyond it they fold their lowest bins instead.
    static let maxLevel = 3

    /// γ_L for L = 0 … maxLevel.
    static let gammas: [Double] = {
        var gammas = [(1 + baseAccuracy) / (1 - baseAccuracy)]
        while gammas.count <= maxLevel { gammas.append(gammas[gammas.count - 1] * gammas[gammas.count - 1]) }
        return gammas
    }()

    /// α_L, the relative accuracy of a level-L bin's value, for L = 0 … maxLevel: 0.24 %, 0.48 %, 0.96 %, 1.92 %.
    static let accuracies: [Double] = gammas.map { ($0 - 1) / ($0 + 1) }

    /// Powers of γ₀ from ≤ 1 µs to ≥ 1 h, padded above so that the coarsest bin of the highest key has a bound too.
    /// Built by repeated multiplication because the stdlib has no `log`: the drift (~1e-13) is far below α₀, and a
    /// binary search of the table is as cheap as `ceil(log(x) / log(γ₀))`.
    static let upperBounds: [Double] = {
        var bounds = [1.0]
        while bounds[0] > 1e-3 { bounds.insert(bounds[0] / gammas[0], at: 0) }
        while bounds[bounds.count - 1] < 3.6e6 || !bounds.count.isMultiple(of: 1 << maxLevel) {
            bounds.append(bounds[bounds.count - 1] * gammas[0])
        }
        return bounds
    }()

    /// The highest level-0 key, that of the first bound ≥ 1 h: every latency from there up lands in it.
    static let clampKey = upperBounds.firstIndex { $0 >= 3.6e6 }! + 1

    /// Number of level-0 keys, zero included: the size of a dense histogram.
    static var keyCount: Int { clampKey + 1 }

    /// The level-0 key of a latency: 0 for ≤ 0 (and NaN), else 1 + the index of the first bound ≥ `ms`, i.e.
    /// 1 + ⌈log_γ₀ ms⌉ relative to 1 µs; values out of range clamp to the ends.
    static func key(for ms: Double) -> Int {
        guard ms > 0 else { return 0 }
        var low = 0, high = clampKey - 1
        while low < high {
            let mid = (low + high) / 2
            if upperBounds[mid] < ms { low = mid + 1 } else { high = mid }
        }
        return low + 1
    }

    /// The key at a level `levels` coarser: ⌈key / 2^levels⌉.
    @inline(__always)
    static func coarsen(_ key: Int, by levels: Int) -> Int { (key + (1 << levels) - 1) >> levels }

    /// The value reported for `key` at `level`: 2u / (γ_L + 1) for the bin's upper bound u, within α_L of both of
    /// the bin's edges; 0 for key 0.
    static func value(of key: Int, level: Int) -> Double {
        key == 0 ? 0 : upperBounds[(key << level) - 1] * 2 / (gammas[level] + 1)
    }

    /// The 0-based rank quantile `q` denotes among `count` observations: ⌊q · (count − 1)⌋, as in DDSketch.
    static func rank(of q: Double, count: Int) -> Int {
        Int(min(max(q, 0), 1) * Double(count - 1))  // truncation is floor here; `rounded` would need libm
    }
}
