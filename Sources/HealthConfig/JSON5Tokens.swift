// The tokens of JSON5: strings, identifiers (unquoted keys and the literals) and numbers, with the
// character classes of ECMAScript 5.1 that the JSON5 spec borrows.

extension JSON5Parser {
    // MARK: - Strings

    /// A string in double or single quotes, at `index`.
    mutating func parseString() throws(JSON5Error) -> String {
        let start = index
        let quote = text[index]
        index += 1
        var out = String.UnicodeScalarView()
        while true {
            guard let c = peek else { throw error(at: start, "the string for \(pathText) is not closed with \(quote)") }
            index += 1
            switch c {
            case quote:
                return String(out)
            case "\n", "\r":
                throw error(
                    at: index - 1,
                    "line break inside the string for \(pathText) (close it with \(quote), or end the line with \\ to continue it)")
            case "\\":
                if let scalar = try parseEscape(stringStart: start) { out.append(scalar) }
            default:
                out.append(c)
            }
        }
    }

    /// The escape after a backslash; nil for a line continuation (which stands for nothing).
    private mutating func parseEscape(stringStart: Int) throws(JSON5Error) -> Unicode.Scalar? {
        let backslash = index - 1
        guard let c = peek else { throw error(at: stringStart, "the string for \(pathText) is not closed") }
        index += 1
        switch c {
        case "b": return "\u{8}"
        case "f": return "\u{C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "v": return "\u{B}"
        case "0":
            guard let next = peek, Self.isDigit(next) else { return "\0" }
            throw error(at: backslash, "octal escapes like \\0\(next) are not JSON5 (use \\x or \\u)")
        case "1"..."9":
            throw error(at: backslash, "\\\(c) is not a JSON5 escape (use \\x or \\u)")
        case "x":
            let value = try hexDigits(2, escapeAt: backslash)
            return Unicode.Scalar(UInt8(value))
        case "u":
            return try parseUnicodeEscape(escapeAt: backslash)
        case "\r":
            if peek == "\n" { index += 1 }
            return nil
        case "\n", "\u{2028}", "\u{2029}":
            return nil
        default:
            // Any other character escapes to itself (\' \" \\ \/ …).
            return c
        }
    }

    /// `\uXXXX`, with a UTF-16 surrogate pair written as two escapes; `u` has been read.
    mutating func parseUnicodeEscape(escapeAt backslash: Int) throws(JSON5Error) -> Unicode.Scalar {
        let unit = try hexDigits(4, escapeAt: backslash)
        switch unit {
        case 0xD800...0xDBFF:
            guard peek == "\\", peek(1) == "u" else {
                throw error(at: backslash, "\\u\(Self.hex4(unit)) is half of a surrogate pair; the low half (\\uDC00–\\uDFFF) must follow")
            }
            index += 2
            let low = try hexDigits(4, escapeAt: index - 2)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error(at: backslash, "\\u\(Self.hex4(unit)) must be followed by a low surrogate (\\uDC00–\\uDFFF), not \\u\(Self.hex4(low))")
            }
            // Always a valid scalar: 0x10000 ... 0x10FFFF.
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
        case 0xDC00...0xDFFF:
            throw error(at: backslash, "\\u\(Self.hex4(unit)) is the low half of a surrogate pair without its high half")
        default:
            return Unicode.Scalar(unit) ?? "\u{FFFD}"
        }
    }

    private mutating func hexDigits(_ count: Int, escapeAt backslash: Int) throws(JSON5Error) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let c = peek, let digit = Self.hexValue(c) else {
                throw error(at: backslash, "an escape needs \(count) hex digits here, found \(Self.describe(peek))")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private static func hex4(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    // MARK: - Identifiers

    /// An ECMAScript IdentifierName (an unquoted key, or true/false/null/Infinity/NaN), `\u` escapes
    /// included.
    mutating func parseIdentifier() throws(JSON5Error) -> String {
        var out = String.UnicodeScalarView()
        while let c = peek {
            var scalar = c
            if c == "\\" {
                let backslash = index
                guard peek(1) == "u" else { throw error("only \\u escapes may appear in an unquoted key") }
                index += 2
                scalar = try parseUnicodeEscape(escapeAt: backslash)
                let fits = out.isEmpty ? Self.isIdentifierStart(scalar) : Self.isIdentifierPart(scalar)
                guard fits else { throw error(at: backslash, "\\u\(Self.hex4(scalar.value)) cannot be part of an unquoted key (quote the key)") }
            } else if out.isEmpty ? Self.isIdentifierStart(c) : Self.isIdentifierPart(c) {
                index += 1
            } else {
                break
            }
            out.append(scalar)
        }
        return String(out)
    }

    static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return c == "$" || c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .letterNumber: return true
        default: return false
        }
    }

    static func isIdentifierPart(_ c: Unicode.Scalar) -> Bool {
        if isIdentifierStart(c) || isDigit(c) || c == "\u{200C}" || c == "\u{200D}" { return true }
        switch c.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    // MARK: - Numbers

    /// A number: optional sign, then decimal (`1`, `1.5`, `.5`, `5.`, exponents) or hex (`0x1F`).
    /// `Infinity` and `NaN` are recognised only to be refused, as is anything too large for a Double.
    mutating func parseNumber() throws(JSON5Error) -> Double {
        let start = index
        var negative = false
        if let c = peek, c == "+" || c == "-" {
            negative = c == "-"
            index += 1
        }
        if let c = peek, Self.isIdentifierStart(c) {
            let word = try parseIdentifier()
            if word == "Infinity" || word == "NaN" {
                throw error(at: start, "\(word) is not a value a config can use (\(pathText))")
            }
            throw error(at: start, "expected a number for \(pathText) after the sign, found \(word)")
        }
        let value: Double
        if peek == "0", let x = peek(1), x == "x" || x == "X" {
            index += 2
            value = try hexNumber(start: start)
        } else {
            value = try decimalNumber(start: start)
        }
        if let c = peek, Self.isIdentifierPart(c) {
            throw error("unexpected \(Self.describe(c)) right after the number for \(pathText)")
        }
        guard value.isFinite else {
            throw error(at: start, "the number for \(pathText) is too large")
        }
        return negative ? -value : value
    }

    private mutating func hexNumber(start: Int) throws(JSON5Error) -> Double {
        var value = 0.0
        var digits = 0
        while let c = peek, let digit = Self.hexValue(c) {
            value = value * 16 + Double(digit)
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw error(at: start, "a hex number for \(pathText) needs digits after 0x") }
        return value
    }

    private mutating func decimalNumber(start: Int) throws(JSON5Error) -> Double {
        var literal = ""
        let integerDigits = appendDigits(to: &literal)
        if integerDigits > 1 && literal.hasPrefix("0") {
            throw error(at: start, "numbers do not start with 0 in JSON5 (\(pathText)); write 0x… for hex")
        }
        var fractionDigits = 0
        if peek == "." {
            index += 1
            literal += "."
            fractionDigits = appendDigits(to: &literal)
        }
        guard integerDigits + fractionDigits > 0 else {
            throw error(at: start, "expected a number for \(pathText), found \(Self.describe(peek))")
        }
        if let e = peek, e == "e" || e == "E" {
            index += 1
            literal += "e"
            if let sign = peek, sign == "+" || sign == "-" {
                literal.unicodeScalars.append(sign)
                index += 1
            }
            guard appendDigits(to: &literal) > 0 else {
                throw error("the exponent of the number for \(pathText) needs digits, found \(Self.describe(peek))")
            }
        }
        // Swift's parser wants a digit on both sides of the point.
        if literal.hasPrefix(".") { literal = "0" + literal }
        if literal.hasSuffix(".") { literal += "0" }
        literal = literal.replacing(".e", with: ".0e")
        guard let value = Double(literal) else {
            throw error(at: start, "\(literal) is not a number (\(pathText))")
        }
        return value
    }

    private mutating func appendDigits(to literal: inout String) -> Int {
        var count = 0
        while let c = peek, Self.isDigit(c) {
            literal.unicodeScalars.append(c)
            index += 1
            count += 1
        }
        return count
    }

    // MARK: - Character classes

    static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": c.value - 0x30
        case "a"..."f": c.value - 0x61 + 10
        case "A"..."F": c.value - 0x41 + 10
        default: nil
        }
    }

    static func isLineTerminator(_ c: Unicode.Scalar) -> Bool {
        c == "\n" || c == "\r" || c == "\u{2028}" || c == "\u{2029}"
    }

    /// JSON5 WhiteSpace and LineTerminator: tab, VT, FF, space, NBSP, BOM, any other space
    /// separator, and the line terminators.
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "\t", "\u{B}", "\u{C}", " ", "\u{A0}", "\u{FEFF}": return true
        default: return isLineTerminator(c) || (!c.isASCII && c.properties.generalCategory == .spaceSeparator)
        }
    }
}
