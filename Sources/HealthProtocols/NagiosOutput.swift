// Parser for Nagios / Monitoring Plugins output (Monitoring Plugins Development Guidelines,
// "Plugin Output" and "Performance data"), stdlib only.
//
//   TEXT OUTPUT | OPTIONAL PERFDATA
//   LONG TEXT LINE 1
//   LONG TEXT LINE 2
//   ...
//   LONG TEXT LINE N | PERFDATA LINE 2
//   PERFDATA LINE 3
//   ...
//
// Perfdata items are space separated: 'label'=value[UOM];[warn];[crit];[min];[max]
// A label with spaces or `=` is single-quoted, and a quote inside it is doubled (`''`).
//
// Lenient by design: the message is what matters, so a malformed perfdata item is skipped and
// parsing goes on with the next one. Items whose value is `U` (undetermined) are skipped too.
// UOMs outside the guidelines' list (`KiB`, `B/s`, ...) are kept as written; see `hasStandardUnit`.

/// Plugin result from the exit code.
package enum NagiosStatus: Sendable, Hashable, CustomStringConvertible {
    case ok, warning, critical, unknown

    /// 0 OK, 1 WARNING, 2 CRITICAL; anything else (3, signals, 126/127 from the shell) UNKNOWN.
    package init(exitCode: Int32) {
        switch exitCode {
        case 0: self = .ok
        case 1: self = .warning
        case 2: self = .critical
        default: self = .unknown
        }
    }

    package var exitCode: Int32 {
        switch self {
        case .ok: return 0
        case .warning: return 1
        case .critical: return 2
        case .unknown: return 3
        }
    }

    package var description: String {
        switch self {
        case .ok: return "OK"
        case .warning: return "WARNING"
        case .critical: return "CRITICAL"
        case .unknown: return "UNKNOWN"
        }
    }
}

/// A threshold range: `10`, `10:`, `~:10`, `10:20`, `@10:20`.
package struct NagiosRange: Sendable, Equatable {
    /// Lower bound, `-infinity` for `~`.
    package var start: Double
    /// Upper bound, `+infinity` when omitted.
    package var end: Double
    /// `@` prefix: alert when the value is inside [start, end] instead of outside.
    package var alertInside: Bool

    package init(start: Double, end: Double, alertInside: Bool = false) {
        self.start = start
        self.end = end
        self.alertInside = alertInside
    }

    /// Nil for anything that is not a range, or when start > end.
    package init?(parsing text: String) {
        var s = Substring(text)
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        var inside = false
        if s.first == "@" {
            inside = true
            s.removeFirst()
        }
        guard !s.isEmpty else { return nil }
        var start = 0.0
        var end = Double.infinity
        if let colon = s.firstIndex(of: ":") {
            let low = s[..<colon]
            let high = s[s.index(after: colon)...]
            if low == "~" {
                start = -.infinity
            } else if !low.isEmpty {
                guard let value = NagiosNumber.parse(Array(low.utf8)[...]) else { return nil }
                start = value
            }
            if !high.isEmpty {
                guard let value = NagiosNumber.parse(Array(high.utf8)[...]) else { return nil }
                end = value
            }
        } else {
            guard let value = NagiosNumber.parse(Array(s.utf8)[...]) else { return nil }
            end = value
        }
        guard start <= end else { return nil }
        self.init(start: start, end: end, alertInside: inside)
    }

    /// Whether `value` raises an alert under this range.
    package func alerts(_ value: Double) -> Bool {
        let inside = value >= start && value <= end
        return alertInside ? inside : !inside
    }
}

/// One performance data item.
package struct PerfDatum: Sendable, Equatable {
    /// The guidelines' units of measurement; "" means a plain number.
    package static let standardUnits: Set<String> = ["", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c"]

    package var label: String
    package var value: Double
    /// UOM as written, "" when none.
    package var unit: String
    /// Warning threshold range as written (see `warnRange`); nil when empty.
    package var warn: String?
    /// Critical threshold range as written (see `critRange`); nil when empty.
    package var crit: String?
    /// Nil when empty or not a number.
    package var min: Double?
    /// Nil when empty or not a number.
    package var max: Double?

    package init(
        label: String, value: Double, unit: String = "", warn: String? = nil, crit: String? = nil,
        min: Double? = nil, max: Double? = nil
    ) {
        self.label = label
        self.value = value
        self.unit = unit
        self.warn = warn
        self.crit = crit
        self.min = min
        self.max = max
    }

    package var hasStandardUnit: Bool { Self.standardUnits.contains(unit) }
    package var warnRange: NagiosRange? { warn.flatMap { NagiosRange(parsing: $0) } }
    package var critRange: NagiosRange? { crit.flatMap { NagiosRange(parsing: $0) } }
}

/// Parsed plugin output.
package struct NagiosOutput: Sendable, Equatable {
    /// The first line's text before `|`, trimmed.
    package var message: String
    /// Lines after the first, up to the `|` that starts multi-line perfdata; empty when none.
    package var longText: [String]
    /// Perfdata from the first line and from the lines after the long text, in order.
    package var perfdata: [PerfDatum]

    package init(message: String, longText: [String] = [], perfdata: [PerfDatum] = []) {
        self.message = message
        self.longText = longText
        self.perfdata = perfdata
    }

    /// Never fails: invalid UTF-8 is replaced, malformed perfdata items are skipped.
    package init(parsing bytes: UnsafeBufferPointer<UInt8>) {
        self.init(message: "")
        var lines: [Range<Int>] = []
        var lineStart = 0
        for i in 0..<bytes.count where bytes[i] == NagiosNumber.lf {
            lines.append(lineStart..<i)
            lineStart = i + 1
        }
        if lineStart < bytes.count { lines.append(lineStart..<bytes.count) }
        // Strip CR before LF; drop trailing blank lines.
        lines = lines.map { r in
            r.upperBound > r.lowerBound && bytes[r.upperBound - 1] == NagiosNumber.cr ? r.lowerBound..<(r.upperBound - 1) : r
        }
        while let last = lines.last, Self.isBlank(bytes, last) { lines.removeLast() }
        guard let firstLine = lines.first else { return }

        func string(_ r: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self)
        }

        if let bar = Self.firstBar(bytes, firstLine) {
            message = string(Self.trimmed(bytes, firstLine.lowerBound..<bar))
            Self.parsePerfdata(bytes, (bar + 1)..<firstLine.upperBound, into: &perfdata)
        } else {
            message = string(Self.trimmed(bytes, firstLine))
        }

        var inPerfdata = false
        for r in lines.dropFirst() {
            if inPerfdata {
                Self.parsePerfdata(bytes, r, into: &perfdata)
            } else if let bar = Self.firstBar(bytes, r) {
                inPerfdata = true
                let text = Self.trimmedTrailing(bytes, r.lowerBound..<bar)
                if !Self.isBlank(bytes, text) { longText.append(string(text)) }
                Self.parsePerfdata(bytes, (bar + 1)..<r.upperBound, into: &perfdata)
            } else {
                longText.append(string(r))
            }
        }
    }

    package init(parsing bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { NagiosOutput(parsing: $0) }
    }

    package init(parsing text: String) {
        var text = text
        self = text.withUTF8 { NagiosOutput(parsing: $0) }
    }

    // MARK: - Lines

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0B || b == 0x0C || b == 0x0D }

    private static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        r.allSatisfy { isSpace(bytes[$0]) }
    }

    private static func firstBar(_ bytes: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int? {
        r.first { bytes[$0] == UInt8(ascii: "|") }
    }

    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Range<Int> {
        var lo = r.lowerBound
        while lo < r.upperBound && isSpace(bytes[lo]) { lo += 1 }
        return trimmedTrailing(bytes, lo..<r.upperBound)
    }

    private static func trimmedTrailing(_ bytes: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Range<Int> {
        var hi = r.upperBound
        while hi > r.lowerBound && isSpace(bytes[hi - 1]) { hi -= 1 }
        return r.lowerBound..<hi
    }

    // MARK: - Perfdata

    /// Items separated by whitespace (a stray `|` counts as whitespace outside quotes).
    private static func parsePerfdata(_ bytes: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, into out: inout [PerfDatum]) {
        func isSeparator(_ b: UInt8) -> Bool { isSpace(b) || b == UInt8(ascii: "|") }
        let quote = UInt8(ascii: "'")
        let equals = UInt8(ascii: "=")
        let end = r.upperBound
        var i = r.lowerBound
        while i < end {
            while i < end && isSeparator(bytes[i]) { i += 1 }
            guard i < end else { break }

            var label: [UInt8] = []
            var j = i
            var wellFormed = true
            if bytes[i] == quote {
                j = i + 1
                var closed = false
                while j < end {
                    if bytes[j] == quote {
                        if j + 1 < end && bytes[j + 1] == quote {
                            label.append(quote)
                            j += 2
                        } else {
                            j += 1
                            closed = true
                            break
                        }
                    } else {
                        label.append(bytes[j])
                        j += 1
                    }
                }
                if !closed {
                    // Unterminated quote: skip this word only.
                    wellFormed = false
                    j = i + 1
                }
            } else {
                while j < end && bytes[j] != equals && !isSeparator(bytes[j]) { j += 1 }
                label.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<j]))
            }
            guard wellFormed, j < end, bytes[j] == equals, !label.isEmpty else {
                // Malformed: skip to the next separator.
                while j < end && !isSeparator(bytes[j]) { j += 1 }
                i = j
                continue
            }
            let dataStart = j + 1
            j = dataStart
            while j < end && !isSeparator(bytes[j]) { j += 1 }
            i = j
            if let datum = parseDatum(label: label, data: Array(UnsafeBufferPointer(rebasing: bytes[dataStart..<j]))) {
                out.append(datum)
            }
        }
    }

    /// `value[UOM];[warn];[crit];[min];[max]`; fields past max are ignored.
    private static func parseDatum(label: [UInt8], data: [UInt8]) -> PerfDatum? {
        let fields = data.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
        guard let first = fields.first else { return nil }
        let numberEnd = NagiosNumber.prefixLength(first)
        guard numberEnd > 0, let value = NagiosNumber.parse(first.prefix(numberEnd)) else { return nil }
        let unit = first.dropFirst(numberEnd)
        guard unit.allSatisfy(NagiosNumber.isUnitByte) else { return nil }

        func text(_ n: Int) -> String? {
            guard n < fields.count, !fields[n].isEmpty else { return nil }
            return String(decoding: fields[n], as: UTF8.self)
        }
        func number(_ n: Int) -> Double? {
            guard n < fields.count else { return nil }
            return NagiosNumber.parse(fields[n])
        }
        return PerfDatum(
            label: String(decoding: label, as: UTF8.self), value: value, unit: String(decoding: unit, as: UTF8.self),
            warn: text(1), crit: text(2), min: number(3), max: number(4))
    }
}

enum NagiosNumber {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// A UOM byte: anything but digits, separators, quotes, `=`, `;` and ASCII control bytes.
    static func isUnitByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x00...0x20, 0x7F, UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: ","),
            UInt8(ascii: "="), UInt8(ascii: ";"), UInt8(ascii: "'"), UInt8(ascii: "|"):
            return false
        default:
            return true
        }
    }

    /// Length of the leading `[+-]digits[(.|,)digits][(e|E)[+-]digits]`, 0 when there is no digit.
    static func prefixLength(_ s: ArraySlice<UInt8>) -> Int {
        var i = s.startIndex
        let end = s.endIndex
        if i < end && (s[i] == UInt8(ascii: "-") || s[i] == UInt8(ascii: "+")) { i += 1 }
        var digits = 0
        while i < end && isDigit(s[i]) { i += 1; digits += 1 }
        if i < end && (s[i] == UInt8(ascii: ".") || s[i] == UInt8(ascii: ",")) {
            var j = i + 1
            var fraction = 0
            while j < end && isDigit(s[j]) { j += 1; fraction += 1 }
            if fraction > 0 || digits > 0 {
                i = j
                digits += fraction
            }
        }
        guard digits > 0 else { return 0 }
        if i < end && (s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E")) {
            var j = i + 1
            if j < end && (s[j] == UInt8(ascii: "-") || s[j] == UInt8(ascii: "+")) { j += 1 }
            let exponentStart = j
            while j < end && isDigit(s[j]) { j += 1 }
            if j > exponentStart { i = j }
        }
        return i - s.startIndex
    }

    /// The whole slice as a finite decimal number (comma accepted as the decimal mark), else nil.
    static func parse(_ s: ArraySlice<UInt8>) -> Double? {
        guard !s.isEmpty, prefixLength(s) == s.count else { return nil }
        let text = String(decoding: s.map { $0 == UInt8(ascii: ",") ? UInt8(ascii: ".") : $0 }, as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }
}
