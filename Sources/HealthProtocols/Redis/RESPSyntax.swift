/// Byte-level helpers shared by the RESP parser, the encoder and the Redis probe.
enum RESPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// Text for messages: decoded as UTF-8 (repaired), control characters escaped, at most `limit`
    /// bytes of input shown.
    static func escape<C: Collection<UInt8>>(_ bytes: C, limit: Int = 80) -> String {
        let shown = bytes.prefix(Swift.max(limit, 0))
        var out = ""
        for scalar in String(decoding: shown, as: UTF8.self).unicodeScalars {
            switch scalar.value {
            case 0x0D: out += "\\r"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x5C: out += "\\\\"
            case 0..<0x20, 0x7F:
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        if shown.count < bytes.count { out += "…" }
        return out
    }

    /// A double as people write it: `42`, `0.5`, `inf`, `-inf`, `nan`.
    static func format(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == d.rounded(), Swift.abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    /// A decimal number written the way Redis writes them: `[+-]digits[.digits][e[+-]digits]`
    /// (also `.5` and `5.`), or `inf` / `+inf` / `-inf` (any case). No spaces, no hex, no `nan`.
    static func parseNumber<C: Collection<UInt8>>(_ bytes: C) -> Double? {
        guard !bytes.isEmpty, bytes.count <= 400 else { return nil }
        var i = bytes.startIndex
        if bytes[i] == plus || bytes[i] == minus { i = bytes.index(after: i) }
        let unsigned = bytes[i...]
        if unsigned.count == 3, String(decoding: unsigned, as: UTF8.self).lowercased() == "inf" {
            return bytes.first == minus ? -.infinity : .infinity
        }
        var mantissaDigits = 0
        var seenDot = false
        var seenExponent = false
        var exponentDigits = 0
        var previous: UInt8 = 0
        while i < bytes.endIndex {
            let b = bytes[i]
            if isDigit(b) {
                if seenExponent { exponentDigits += 1 } else { mantissaDigits += 1 }
            } else if b == UInt8(ascii: "."), !seenDot, !seenExponent {
                seenDot = true
            } else if b == UInt8(ascii: "e") || b == UInt8(ascii: "E"), !seenExponent, mantissaDigits > 0 {
                seenExponent = true
            } else if b == plus || b == minus, previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E") {
                // exponent sign
            } else {
                return nil
            }
            previous = b
            i = bytes.index(after: i)
        }
        guard mantissaDigits > 0, !seenExponent || exponentDigits > 0 else { return nil }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    /// Replaces every occurrence of `secret` in `text` with `***`, byte-wise — and also any run of
    /// at least 6 bytes that is a prefix of it, since servers echo arguments cut short
    /// ("with args beginning with: …").
    static func redact(_ text: String, _ secret: String?) -> String {
        guard let secret, !secret.isEmpty else { return text }
        let hay = Array(text.utf8)
        let needle = Array(secret.utf8)
        let threshold = Swift.min(6, needle.count)
        var out: [UInt8] = []
        out.reserveCapacity(hay.count)
        var i = 0
        var replaced = false
        while i < hay.count {
            var matched = 0
            while matched < needle.count, i + matched < hay.count, hay[i + matched] == needle[matched] { matched += 1 }
            if matched >= threshold {
                out += Array("***".utf8)
                i += matched
                replaced = true
            } else {
                out.append(hay[i])
                i += 1
            }
        }
        return replaced ? String(decoding: out, as: UTF8.self) : text
    }
}
