/// Byte-level HTTP syntax shared by the request encoder and the response parser.
enum HTTPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    /// RFC 9110 tchar.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Bytes allowed in a field value or reason phrase: HTAB, SP, VCHAR, obs-text (not CTL, not DEL).
    static func isFieldByte(_ b: UInt8) -> Bool { b == htab || (b >= 0x20 && b != 0x7F) }

    static func isWhitespace(_ b: UInt8) -> Bool { b == sp || b == htab }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    static func isHexDigit(_ b: UInt8) -> Bool { hexValue(b) != nil }

    static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: return Int(b - 0x30)
        case 0x41...0x46: return Int(b - 0x41 + 10)
        case 0x61...0x66: return Int(b - 0x61 + 10)
        default: return nil
        }
    }

    static func lowercased(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    static func equalsIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        var ai = a.utf8.makeIterator()
        var bi = b.utf8.makeIterator()
        while true {
            switch (ai.next(), bi.next()) {
            case (nil, nil): return true
            case let (x?, y?): if lowercased(x) != lowercased(y) { return false }
            default: return false
            }
        }
    }

    static func first(_ name: String, in fields: [(name: String, value: String)]) -> String? {
        fields.first { equalsIgnoringASCIICase($0.name, name) }?.value
    }

    static func all(_ name: String, in fields: [(name: String, value: String)]) -> [String] {
        fields.compactMap { equalsIgnoringASCIICase($0.name, name) ? $0.value : nil }
    }

    static func fieldsEqual(_ a: [(name: String, value: String)], _ b: [(name: String, value: String)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    static func trimmingWhitespace(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = s.startIndex
        var hi = s.endIndex
        while lo < hi && isWhitespace(s[lo]) { lo += 1 }
        while hi > lo && isWhitespace(s[hi - 1]) { hi -= 1 }
        return s[lo..<hi]
    }

    /// Printable excerpt for error contexts: ASCII kept, the rest escaped, at most 64 bytes.
    static func escape<C: Collection<UInt8>>(_ bytes: C) -> String {
        var out = "\""
        for (n, b) in bytes.enumerated() {
            if n == 64 {
                out += "...(\(bytes.count) bytes)"
                break
            }
            switch b {
            case cr: out += "\\r"
            case lf: out += "\\n"
            case htab: out += "\\t"
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789abcdef".unicodeScalars)
                out += "\\x"
                out.unicodeScalars.append(hex[Int(b >> 4)])
                out.unicodeScalars.append(hex[Int(b & 0xF)])
            }
        }
        return out + "\""
    }

    private static let statusLineLiteral: [UInt8] = Array("HTTP/1.".utf8)

    /// Validates as much of `HTTP/1.d SP ddd` as `line` holds, so garbage is rejected on its first bad byte.
    static func checkStatusLinePrefix(_ line: [UInt8]) throws(HTTPParseError) {
        for (offset, byte) in line.prefix(12).enumerated() {
            let ok: Bool
            switch offset {
            case 0..<7: ok = byte == statusLineLiteral[offset]
            case 7, 10, 11: ok = isDigit(byte)
            case 8: ok = byte == sp
            default: ok = byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9")
            }
            if !ok {
                let seen = escape(line.prefix(offset + 1))
                switch offset {
                case 0..<5: throw HTTPParseError(.badStatusLine, "not an HTTP response: starts with \(seen)")
                case 5...7: throw HTTPParseError(.badStatusLine, "unsupported HTTP version: \(seen)")
                default: throw HTTPParseError(.badStatusLine, "malformed status line: \(seen)")
                }
            }
        }
    }

    /// `name: OWS value OWS`. Obsolete line folding and whitespace before the colon are rejected.
    static func parseField(_ content: ArraySlice<UInt8>) throws(HTTPParseError) -> (name: String, value: String) {
        guard let first = content.first, !isWhitespace(first) else {
            throw HTTPParseError(.badHeader, "obsolete line folding is not supported: \(escape(content))")
        }
        guard let colon = content.firstIndex(of: HTTPSyntax.colon) else {
            throw HTTPParseError(.badHeader, "field line without colon: \(escape(content))")
        }
        let name = content[content.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
            throw HTTPParseError(.badHeader, "invalid field name: \(escape(content))")
        }
        let value = trimmingWhitespace(content[(colon + 1)...])
        guard value.allSatisfy(isFieldByte) else {
            throw HTTPParseError(.badHeader, "control byte in field value: \(escape(content))")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// All Content-Length fields, each possibly a list (`5, 5`): every element must be the same
    /// non-negative decimal that fits in `Int` (RFC 9110 §8.6).
    static func parseContentLength(_ values: [String]) throws(HTTPParseError) -> Int {
        var result: Int?
        for value in values {
            for element in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let digits = trimmingWhitespace(ArraySlice(element))
                guard !digits.isEmpty, digits.allSatisfy(isDigit) else {
                    throw HTTPParseError(.invalidContentLength, "Content-Length is not a non-negative integer: \(escape(Array(value.utf8)))")
                }
                var n = 0
                for d in digits {
                    let (times10, o1) = n.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(Int(d - 0x30))
                    if o1 || o2 {
                        throw HTTPParseError(.invalidContentLength, "Content-Length too large: \(escape(Array(value.utf8)))")
                    }
                    n = sum
                }
                if let previous = result, previous != n {
                    throw HTTPParseError(.invalidContentLength, "conflicting Content-Length values \(previous) and \(n)")
                }
                result = n
            }
        }
        guard let length = result else {
            throw HTTPParseError(.invalidContentLength, "empty Content-Length")
        }
        return length
    }

    /// True when the last transfer coding listed is `chunked`.
    static func isChunkedFinal(_ values: [String]) -> Bool {
        for value in values.reversed() {
            let codings = value.utf8.split(separator: UInt8(ascii: ","))
            for coding in codings.reversed() {
                let trimmed = trimmingWhitespace(ArraySlice(coding))
                if trimmed.isEmpty { continue }
                return equalsIgnoringASCIICase(String(decoding: trimmed, as: UTF8.self), "chunked")
            }
        }
        return false
    }

    /// `1*HEXDIG [BWS] [; extensions]`. Extensions are ignored.
    static func parseChunkSize(_ content: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        var index = content.startIndex
        var size = 0
        while index < content.endIndex, let digit = hexValue(content[index]) {
            let (times16, o1) = size.multipliedReportingOverflow(by: 16)
            let (sum, o2) = times16.addingReportingOverflow(digit)
            if o1 || o2 {
                throw HTTPParseError(.badChunk, "chunk size too large: \(escape(content))")
            }
            size = sum
            index += 1
        }
        guard index > content.startIndex else {
            throw HTTPParseError(.badChunk, "missing chunk size: \(escape(content))")
        }
        while index < content.endIndex && isWhitespace(content[index]) { index += 1 }
        guard index == content.endIndex || content[index] == UInt8(ascii: ";") else {
            throw HTTPParseError(.badChunk, "invalid chunk size: \(escape(content))")
        }
        return size
    }
}
