/// A threshold on a probe's metrics, as written in config: `<metric> <op> <number>[unit]`.
package struct Condition: Hashable, Sendable, CustomStringConvertible {
    package enum Metric: Hashable, Sendable {
        case value, latency, failures
        /// Seconds until the earliest expiry in the last known certificate chain (`cert.expires_in`).
        case certExpiresIn
        case availability(TimeSpan), errorRate(TimeSpan)
        case latencyQuantile(Double, TimeSpan)
        case valueMin(TimeSpan), valueMax(TimeSpan), valueAvg(TimeSpan), valueLast(TimeSpan), valueDelta(TimeSpan)
    }

    package enum Op: String, Hashable, Sendable, CaseIterable {
        case gt = ">", ge = ">=", lt = "<", le = "<=", eq = "==", ne = "!="

        /// Never true on NaN, which IEEE 754 makes unequal to everything, itself included: `!=` would hold.
        package func holds(_ a: Double, _ b: Double) -> Bool {
            guard !a.isNaN, !b.isNaN else { return false }
            return switch self {
            case .gt: a > b
            case .ge: a >= b
            case .lt: a < b
            case .le: a <= b
            case .eq: a == b
            case .ne: a != b
            }
        }
    }

    /// How the threshold was written; the reason quotes the actual value the same way.
    package enum Unit: String, Hashable, Sendable { case none = "", ms, s, m, h, d, percent = "%" }

    package var metric: Metric
    package var op: Op
    /// Threshold in the metric's base unit: milliseconds for latency, a fraction for ratios, seconds for
    /// `cert.expires_in` and for values written with a time unit, the raw number otherwise.
    package var threshold: Double
    package var unit: Unit
    package var source: String

    package var description: String { source }
}

extension Condition.Metric {
    var isLatency: Bool {
        switch self {
        case .latency, .latencyQuantile: true
        default: false
        }
    }

    var isRatio: Bool {
        switch self {
        case .availability, .errorRate: true
        default: false
        }
    }

    /// Milliseconds in one of the base unit that a time threshold is converted to: latency is kept in
    /// milliseconds, other times in seconds.
    var baseMilliseconds: Double { isLatency ? 1 : 1000 }

    /// The longest history this metric reads, so windows can be validated against the 7 d limit.
    package var window: TimeSpan? {
        switch self {
        case .value, .latency, .failures, .certExpiresIn: nil
        case .availability(let w), .errorRate(let w), .latencyQuantile(_, let w), .valueMin(let w),
             .valueMax(let w), .valueAvg(let w), .valueLast(let w), .valueDelta(let w): w
        }
    }
}

extension Condition.Unit {
    /// Milliseconds in one of this unit; nil for the units that are not times.
    var milliseconds: Double? {
        switch self {
        case .none, .percent: nil
        case .ms: 1
        case .s: 1000
        case .m: 60_000
        case .h: 3_600_000
        case .d: 86_400_000
        }
    }
}

/// `v` from a time unit into another, each given as milliseconds in one of it. By a whole factor either way, so
/// that `500ms` stays 500 and `2s` stays 2 exactly and reasons quote the numbers as written.
func convertTime(_ v: Double, from: Double, to: Double) -> Double {
    from >= to ? v * (from / to) : v / (to / from)
}
