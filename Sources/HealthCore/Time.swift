/// Wall-clock instant, nanoseconds since the Unix epoch. The core never reads a clock itself:
/// callers pass `now`, so every time-dependent rule is testable without sleeping.
///
/// Arithmetic on times saturates at the ends of Int64 (1677-09-21 … 2262-04-11) instead of trapping:
/// operands come from config, the socket, checkpoints and the clock, and no input may stop the daemon.
package struct Timestamp: Hashable, Comparable, Sendable {
    package var nanoseconds: Int64

    package init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    package init(seconds: Double) { self.nanoseconds = Int64(seconds * 1e9) }

    package var seconds: Double { Double(nanoseconds) / 1e9 }

    package static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanoseconds < b.nanoseconds }
    package static func + (t: Timestamp, d: TimeSpan) -> Timestamp { Timestamp(nanoseconds: saturatingSum(t.nanoseconds, d.nanoseconds)) }
    package static func - (t: Timestamp, d: TimeSpan) -> Timestamp {
        Timestamp(nanoseconds: saturatingDifference(t.nanoseconds, d.nanoseconds))
    }
    package static func - (a: Timestamp, b: Timestamp) -> TimeSpan {
        TimeSpan(nanoseconds: saturatingDifference(a.nanoseconds, b.nanoseconds))
    }

    /// Number of the `step`-long interval since the epoch holding this time: floor division, so times before the
    /// epoch count down from −1 (by quotient and remainder, as subtracting first would overflow near Int64.min).
    package func stepIndex(_ step: TimeSpan) -> Int64 {
        nanoseconds.floorDivided(by: step.nanoseconds)
    }
}

extension Int64 {
    /// ⌊self / divisor⌋ for a positive divisor.
    func floorDivided(by divisor: Int64) -> Int64 {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? quotient - 1 : quotient
    }
}

/// A length of time as written in config (`250ms`, `2s`, `5m`, `1h`, `7d`).
package struct TimeSpan: Hashable, Comparable, Sendable, CustomStringConvertible {
    package var nanoseconds: Int64

    package init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    package static func milliseconds(_ n: Int64) -> TimeSpan { TimeSpan(nanoseconds: n * 1_000_000) }
    package static func seconds(_ n: Int64) -> TimeSpan { TimeSpan(nanoseconds: n * 1_000_000_000) }
    package static func minutes(_ n: Int64) -> TimeSpan { .seconds(n * 60) }
    package static func hours(_ n: Int64) -> TimeSpan { .seconds(n * 3600) }
    package static func days(_ n: Int64) -> TimeSpan { .seconds(n * 86400) }

    package var seconds: Double { Double(nanoseconds) / 1e9 }
    package var milliseconds: Double { Double(nanoseconds) / 1e6 }

    package static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.nanoseconds < b.nanoseconds }
    package static func + (a: TimeSpan, b: TimeSpan) -> TimeSpan { TimeSpan(nanoseconds: saturatingSum(a.nanoseconds, b.nanoseconds)) }
    package static func * (d: TimeSpan, n: Int64) -> TimeSpan {
        let (product, overflow) = d.nanoseconds.multipliedReportingOverflow(by: n)
        guard overflow else { return TimeSpan(nanoseconds: product) }
        return TimeSpan(nanoseconds: (d.nanoseconds < 0) == (n < 0) ? .max : .min)
    }

    static let units: [(suffix: String, nanos: Int64)] = [
        ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000),
        ("h", 3_600_000_000_000), ("d", 86_400_000_000_000),
    ]

    /// Parses `<integer><unit>`, also compound forms such as `1h30m`. Returns nil for anything else.
    package init?(parsing text: String) {
        var total: Int64 = 0
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, let n = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let suffix = rest.prefix(while: { $0.isLetter })
            guard let unit = Self.units.first(where: { $0.suffix == suffix }) else { return nil }
            rest = rest.dropFirst(suffix.count)
            let (product, overflow) = n.multipliedReportingOverflow(by: unit.nanos)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !overflow, !sumOverflow else { return nil }
            total = sum
        }
        self.nanoseconds = total
    }

    /// The shortest exact spelling: `5m`, `1h`, `90s`, `250ms`; a single day stays `24h`, as dashboards name it.
    package var description: String {
        for unit in Self.units.reversed() where nanoseconds != 0 && nanoseconds % unit.nanos == 0 {
            if unit.suffix == "d", nanoseconds == unit.nanos { continue }
            return "\(nanoseconds / unit.nanos)\(unit.suffix)"
        }
        return nanoseconds == 0 ? "0s" : "\(Double(nanoseconds) / 1e6)ms"
    }
}

/// `a + b`, held at Int64's ends rather than trapping.
private func saturatingSum(_ a: Int64, _ b: Int64) -> Int64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? (b > 0 ? .max : .min) : sum
}

/// `a - b`, held at Int64's ends rather than trapping.
private func saturatingDifference(_ a: Int64, _ b: Int64) -> Int64 {
    let (difference, overflow) = a.subtractingReportingOverflow(b)
    return overflow ? (b < 0 ? .max : .min) : difference
}
