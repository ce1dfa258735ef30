/// A threshold on a probe's metrics, as written in config: `<metric> <op> <number>[unit]`.
public struct Condition: Hashable, Sendable, CustomStringConvertible {
    public enum Metric: Hashable, Sendable {
        case value, latency, failures
        case availability(TimeSpan), errorRate(TimeSpan)
        case latencyQuantile(Double, TimeSpan)
        case valueMin(TimeSpan), valueMax(TimeSpan), valueAvg(TimeSpan), valueLast(TimeSpan), valueDelta(TimeSpan)
    }

    public enum Op: String, Hashable, Sendable, CaseIterable {
        case gt = ">", ge = ">=", lt = "<", le = "<=", eq = "==", ne = "!="

        public func holds(_ a: Double, _ b: Double) -> Bool {
            switch self {
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
    public enum Unit: String, Hashable, Sendable { case none = "", ms, s, percent = "%" }

    public var metric: Metric
    public var op: Op
    /// Threshold in the metric's base unit: milliseconds for latency, a fraction for ratios,
    /// seconds for values written with a time unit, the raw number otherwise.
    public var threshold: Double
    public var unit: Unit
    public var source: String

    public var description: String { source }
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

    /// The longest history this metric reads, so windows can be validated against the 7 d limit.
    public var window: TimeSpan? {
        switch self {
        case .value, .latency, .failures: nil
        case .availability(let w), .errorRate(let w), .latencyQuantile(_, let w), .valueMin(let w),
             .valueMax(let w), .valueAvg(let w), .valueLast(let w), .valueDelta(let w): w
        }
    }
}
