/// Reads a condition's metric from a probe's state and windows, and says why it is violated. The state and windows
/// are borrowed for each call, not held: holding them would copy them (a retain per array) for every sample judged.
struct MetricReader {
    let now: Timestamp
    /// The fallback probe's value, used for `value` while this probe fails.
    var fallbackValue: Double?

    /// The metric's current value in the condition's base unit, nil when there is no data.
    func read(_ metric: Condition.Metric, state: borrowing ProbeState, windows: borrowing ProbeWindows) -> Double? {
        let last = state.lastSample
        switch metric {
        case .value: return last?.ok == true ? last?.value : fallbackValue
        case .latency: return last?.ok == true ? last?.latencyMs : nil
        case .failures: return Double(state.consecutiveFailures)
        case .certExpiresIn: return state.lastTLS?.expiresIn(at: now).seconds
        case .availability(let w): return windows.stats(over: w, now: now).availability
        case .errorRate(let w): return windows.stats(over: w, now: now).errorRate
        case .latencyQuantile(let q, let w): return windows.stats(over: w, now: now).latency(quantile: q)
        case .valueMin(let w): return windows.stats(over: w, now: now).valueMin
        case .valueMax(let w): return windows.stats(over: w, now: now).valueMax
        case .valueAvg(let w): return windows.stats(over: w, now: now).valueAvg
        case .valueLast(let w): return windows.stats(over: w, now: now).valueLast
        case .valueDelta(let w):
            guard let current = state.lastGoodValue,
                  let then = windows.value(at: now - w, now: now) else { return nil }
            return current - then
        }
    }

    /// `"latency.p95(5m) 612ms > 500ms"` when the condition holds; nil when it does not or there is no data.
    func violation(_ c: Condition, state: borrowing ProbeState, windows: borrowing ProbeWindows) -> String? {
        guard let actual = read(c.metric, state: state, windows: windows), c.op.holds(actual, c.threshold) else { return nil }
        let lhs = c.source.prefix(while: { !"<>=!".contains($0) }).trimmingSpaces()
        return "\(lhs) \(format(actual, like: c)) \(c.op.rawValue) \(format(c.threshold, like: c))"
    }

    private func format(_ v: Double, like c: Condition) -> String {
        guard let unitMs = c.unit.milliseconds else {
            return c.unit == .percent ? formatNumber(v * 100) + "%" : formatNumber(v)
        }
        let inUnit = convertTime(v, from: c.metric.baseMilliseconds, to: unitMs)
        // Minutes, hours, days and certificate countdowns to one decimal (`19.8d`): more would change every sample.
        let coarse = unitMs >= 60_000 || c.metric == .certExpiresIn
        return formatNumber(coarse ? (inUnit * 10).rounded() / 10 : inUnit) + c.unit.rawValue
    }
}

/// Up to 3 significant decimals, no trailing zeros: 150, 0.4, 612.35.
package func formatNumber(_ v: Double) -> String {
    guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "+Inf" : "-Inf") }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    let scaled = (v * 1000).rounded() / 1000
    if scaled == scaled.rounded(), abs(scaled) < 1e15 { return String(Int64(scaled)) }
    var s = String(scaled)
    if s.contains("e") { return String(v) }
    while s.hasSuffix("0") { s.removeLast() }
    return s
}
