import Foundation
import HealthCore
#if canImport(Glibc)
import Glibc
#endif

/// How healthctl dresses its output: ANSI colour only on a terminal whose user did not opt out.
package struct TerminalStyle: Sendable {
    package var colour: Bool

    package init(colour: Bool) { self.colour = colour }

    /// Colour when stdout is a terminal and NO_COLOR is unset (https://no-color.org).
    package static func forStdout(environment: [String: String]) -> TerminalStyle {
        TerminalStyle(colour: isatty(1) == 1 && environment["NO_COLOR"] == nil)
    }

    static let healthCodes = ["healthy": "32", "degraded": "33", "down": "31"]

    func paint(_ text: String, code: String) -> String {
        colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Green, yellow or red by health level (the same colours as `status`).
    func health(_ level: String?, _ text: String) -> String {
        guard let level, let code = Self.healthCodes[level] else { return text }
        return paint(text, code: code)
    }

    func bold(_ text: String) -> String { paint(text, code: "1") }
    func dim(_ text: String) -> String { paint(text, code: "2") }
    func good(_ text: String) -> String { paint(text, code: "32") }
    func bad(_ text: String) -> String { paint(text, code: "31") }
}

enum Terminal {
    /// The width of stdout when it is a terminal; nil for pipes and files, which get everything.
    static func columns() -> Int? {
        guard isatty(1) == 1 else { return nil }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) }
    }

    static func now() -> Timestamp { Timestamp(nanoseconds: Int64(Date().timeIntervalSince1970 * 1e9)) }
}

/// Small text helpers shared by the views.
enum Text {
    /// Left-aligned in `width` characters (never cut: a long name pushes the row rather than lose letters).
    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    static func padLeft(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    /// `42s`, `5m`, `3h12m`, `2d3h`: how long, to the precision a person reads.
    static func span(seconds: Double) -> String {
        let s = Int(max(0, seconds).rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return s % 3600 / 60 == 0 ? "\(s / 3600)h" : "\(s / 3600)h\(s % 3600 / 60)m" }
        return s % 86400 / 3600 == 0 ? "\(s / 86400)d" : "\(s / 86400)d\(s % 86400 / 3600)h"
    }

    /// "5m ago" or "in 2h" for an ISO time relative to `now`; nil when the text is not a time.
    static func relative(_ iso: String?, now: Timestamp) -> String? {
        guard let iso, let t = Timestamp(iso8601: iso) else { return nil }
        let d = (now - t).seconds
        return d >= 0 ? "\(span(seconds: d)) ago" : "in \(span(seconds: -d))"
    }

    /// `0.42ms`, `12.3ms`, `612ms`, `1.25s`: about three significant digits.
    static func ms(_ ms: Double) -> String {
        if ms >= 1000 { return formatNumber((ms / 10).rounded() / 100) + "s" }
        if ms >= 100 { return formatNumber(ms.rounded()) + "ms" }
        if ms >= 10 { return formatNumber((ms * 10).rounded() / 10) + "ms" }
        return formatNumber((ms * 100).rounded() / 100) + "ms"
    }

    /// `99.95%` from a fraction.
    static func percent(_ fraction: Double) -> String { formatNumber((fraction * 10_000).rounded() / 100) + "%" }

    /// Any JSON value in one line: strings as they are, lists joined, objects as `key=value`.
    static func describe(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return "-"
        case let s as String: return s
        case let n as NSNumber:
            return isBool(n) ? (n.boolValue ? "true" : "false") : formatNumber(n.doubleValue)
        case let list as [Any]: return list.map { describe($0) }.joined(separator: ", ")
        case let dict as [String: Any]:
            return dict.sorted { $0.key < $1.key }.map { "\($0.key)=\(describe($0.value))" }.joined(separator: " ")
        default: return "\(value!)"
        }
    }

    /// A JSON number as a Double (JSONSerialization gives NSNumber; Bool is not a number here).
    static func number(_ value: Any?) -> Double? {
        guard let n = value as? NSNumber, !isBool(n) else { return nil }
        return n.doubleValue
    }

    /// JSONSerialization's true and false are NSNumbers of type `c` (CFBoolean is not visible on Linux).
    static func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }
}
