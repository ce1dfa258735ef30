extension Timestamp {
    /// `2026-11-22T10:00:00Z` (UTC, whole seconds), or with milliseconds when `fractional`.
    package func iso8601(fractional: Bool = false) -> String {
        // Floor division by quotient and remainder: subtracting first would overflow near Int64.min.
        let (q, r) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        let totalSeconds = r < 0 ? q - 1 : q, fraction = r < 0 ? r + 1_000_000_000 : r
        let days = totalSeconds >= 0 ? totalSeconds / 86400 : (totalSeconds - 86399) / 86400
        let secs = totalSeconds - days * 86400
        let (y, m, d) = Self.civil(fromDays: days)
        var s = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secs / 3600, 2)):\(pad(secs / 60 % 60, 2)):\(pad(secs % 60, 2))"
        if fractional { s += "." + pad(fraction / 1_000_000, 3) }
        return s + "Z"
    }

    /// Howard Hinnant's days-from-civil inverse: proleptic Gregorian date of a day count since 1970-01-01.
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

private func pad(_ n: Int64, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

extension Timestamp {
    /// Parses `2026-11-22T10:00:00Z`, with optional fractional seconds and a `Z` or `±hh:mm` offset.
    package init?(iso8601 text: String) {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ n: Int) -> Int64? {
            guard at + n <= b.count else { return nil }
            var v: Int64 = 0
            for c in b[at..<at + n] {
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard b.count >= 20, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 32, b[13] == 58, b[16] == 58,
              let y = digits(0, 4), let mo = digits(5, 2), let d = digits(8, 2),
              let h = digits(11, 2), let mi = digits(14, 2), let s = digits(17, 2),
              (1678...2261).contains(y), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var scale: Int64 = 100_000_000
            while i < b.count, let digit = digits(i, 1) {
                fraction += digit * scale
                scale /= 10
                i += 1
            }
        }
        var offset: Int64 = 0
        if i < b.count, b[i] == 90 || b[i] == 122 {
            i += 1
        } else if i + 6 == b.count, b[i] == 43 || b[i] == 45, b[i + 3] == 58, let oh = digits(i + 1, 2), let om = digits(i + 4, 2) {
            offset = (oh * 3600 + om * 60) * (b[i] == 45 ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = Self.days(fromCivil: y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset
        self.init(nanoseconds: seconds * 1_000_000_000 + fraction)
    }

    /// Howard Hinnant's days-from-civil: day count since 1970-01-01 of a proleptic Gregorian date.
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
