/// A condition that does not parse, with the reason in words a config author can act on.
package struct ConditionError: Error, Equatable, Sendable, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}

extension Condition {
    package static let maxWindow = TimeSpan.days(7)

    static let windowedMetrics: [String: @Sendable (TimeSpan) -> Metric] = [
        "availability": { .availability($0) }, "error_rate": { .errorRate($0) },
        "latency.p50": { .latencyQuantile(0.5, $0) }, "latency.p95": { .latencyQuantile(0.95, $0) },
        "latency.p99": { .latencyQuantile(0.99, $0) },
        "value.min": { .valueMin($0) }, "value.max": { .valueMax($0) }, "value.avg": { .valueAvg($0) },
        "value.last": { .valueLast($0) }, "value.delta": { .valueDelta($0) },
    ]
    static let plainMetrics: [String: Metric] = [
        "value": .value, "latency": .latency, "failures": .failures, "cert.expires_in": .certExpiresIn,
    ]

    /// Parses `latency.p95(5m) > 500ms`, `error_rate(1h) > 2%`, `value > 100`, `cert.expires_in < 14d` …
    package init(parsing text: String) throws(ConditionError) {
        let source = text.trimmingSpaces()
        guard let opRange = Self.findOperator(in: source) else {
            throw ConditionError(message: "\"\(source)\" has no comparison; write <metric> <op> <number>, op one of > >= < <= == !=")
        }
        let lhs = String(source[..<opRange.lowerBound]).trimmingSpaces()
        let opText = String(source[opRange])
        let rhs = String(source[opRange.upperBound...]).trimmingSpaces()
        self.metric = try Self.parseMetric(lhs)
        self.op = Op(rawValue: opText)!
        (self.threshold, self.unit) = try Self.parseThreshold(rhs, for: metric)
        self.source = "\(lhs) \(opText) \(rhs)"
    }

    private static func findOperator(in s: String) -> Range<String.Index>? {
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == ">" || c == "<" || c == "=" || c == "!" {
                let next = s.index(after: i)
                if next < s.endIndex, s[next] == "=" { return i..<s.index(after: next) }
                if c == "=" || c == "!" { return nil }  // a lone = or ! is not an operator
                return i..<next
            }
            i = s.index(after: i)
        }
        return nil
    }

    private static func parseMetric(_ text: String) throws(ConditionError) -> Metric {
        if let m = plainMetrics[text] { return m }
        guard let open = text.firstIndex(of: "("), text.hasSuffix(")") else {
            throw ConditionError(message: "unknown metric \"\(text)\"; metrics are value, latency, failures, cert.expires_in, " +
                "availability(W), error_rate(W), latency.p50|p95|p99(W), value.min|max|avg|last|delta(W)")
        }
        let name = String(text[..<open]).trimmingSpaces()
        let arg = String(text[text.index(after: open)..<text.index(before: text.endIndex)]).trimmingSpaces()
        guard let make = windowedMetrics[name] else {
            throw ConditionError(message: "unknown metric \"\(name)\"; windowed metrics are " +
                windowedMetrics.keys.sorted().joined(separator: ", "))
        }
        guard let window = TimeSpan(parsing: arg), window.nanoseconds > 0 else {
            throw ConditionError(message: "\"\(arg)\" in \(name)(…) is not a duration (use 30s, 5m, 1h, 7d)")
        }
        guard window <= maxWindow else {
            throw ConditionError(message: "window \(arg) in \(name)(…) is longer than 7d, the longest history kept")
        }
        return make(window)
    }

    private static func parseThreshold(_ text: String, for metric: Metric) throws(ConditionError) -> (Double, Unit) {
        var number = Substring(text)
        var unit = Unit.none
        // `ms` first: it ends in `s`.
        for u in [Unit.ms, .s, .m, .h, .d, .percent] where number.hasSuffix(u.rawValue) {
            unit = u
            number = number.dropLast(u.rawValue.count)
            break
        }
        guard let n = Double(number.trimmingSpaces()), n.isFinite else {
            throw ConditionError(message: "\"\(text)\" is not a number (optionally followed by ms, s, m, h, d or %)")
        }
        if metric == .failures, unit != .none {
            throw ConditionError(message: "failures counts attempts; write it without a unit")
        }
        // A bare number of seconds is too easily meant as days.
        if metric == .certExpiresIn, unit.milliseconds == nil {
            throw ConditionError(message: "\(text): cert.expires_in takes a time (14d, 12h, 30m)")
        }
        guard let unitMs = unit.milliseconds else {
            if unit == .percent, metric.isLatency {
                throw ConditionError(message: "\(text): latency takes a time (500ms, 2s), not a percentage")
            }
            return (unit == .percent ? n / 100 : n, unit)
        }
        if metric.isRatio {
            throw ConditionError(message: "\(text): a ratio takes a fraction or a percentage, not a time")
        }
        return (convertTime(n, from: unitMs, to: metric.baseMilliseconds), unit)  // values with time units are seconds
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        let chars = Array(self)
        guard let first = chars.firstIndex(where: { !$0.isWhitespace }),
              let last = chars.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(chars[first...last])
    }
}
