/// A JSON5 reader (https://spec.json5.org) for config files, written so that no byte sequence can
/// crash it: every error — invalid UTF-8 included — is a `JSON5Error` with its line and column and,
/// where there is one, the field path (`probes[2].interval`) the way config issues name fields.
///
/// Hostile input is bounded: at most `maxBytes` of text and `maxDepth` levels of nesting, so
/// neither memory nor the (recursive) parser's stack can be exhausted. Duplicate keys are errors
/// (JSON5 would keep the last one, silently dropping the first). NaN and Infinity parse but are
/// refused: no config value means either.
struct JSON5Parser {
    static let maxBytes = 4 << 20
    static let maxDepth = 64

    enum PathComponent {
        case key(String)
        case index(Int)
    }

    let source: JSON5Source
    var text: [Unicode.Scalar] { source.scalars }
    var index = 0
    /// Where the value being parsed sits, for messages.
    var path: [PathComponent] = []

    static func parse(_ bytes: [UInt8]) throws(JSON5Error) -> JSONValue {
        guard bytes.count <= maxBytes else {
            throw JSON5Error(
                line: 1, column: 1, message: "the file has \(bytes.count) bytes; a config may have at most \(maxBytes >> 20) MiB")
        }
        var parser = JSON5Parser(source: try JSON5Source(bytes))
        let value = try parser.parseValue()
        try parser.skipTrivia()
        if let next = parser.peek {
            throw parser.error("expected the end of the file after the document, found \(Self.describe(next))")
        }
        return value
    }

    // MARK: - Values

    mutating func parseValue() throws(JSON5Error) -> JSONValue {
        try skipTrivia()
        guard let c = peek else { throw error("expected a value for \(pathText), found the end of the file") }
        switch c {
        case "{", "[":
            // Each level is a frame of this recursive parser: bound them.
            guard path.count < Self.maxDepth else {
                throw error("\(pathText) is nested more than \(Self.maxDepth) levels deep")
            }
            return c == "{" ? try parseObject() : try parseArray()
        case "\"", "'": return .string(try parseString())
        case "0"..."9", "+", "-", ".": return .number(try parseNumber())
        default: break
        }
        guard Self.isIdentifierStart(c) else {
            throw error("expected a value for \(pathText), found \(Self.describe(c))")
        }
        let start = index
        let word = try parseIdentifier()
        switch word {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        case "Infinity", "NaN": throw error(at: start, "\(word) is not a value a config can use (\(pathText))")
        default:
            throw error(at: start, "expected a value for \(pathText), found \(word) (text needs quotes: \"\(word)\")")
        }
    }

    private mutating func parseObject() throws(JSON5Error) -> JSONValue {
        index += 1  // {
        var object: [String: JSONValue] = [:]
        var keyLocations: [String: Int] = [:]
        while true {
            try skipTrivia()
            guard let c = peek else { throw error("expected a key or '}' in \(pathText), found the end of the file") }
            if c == "}" {
                index += 1
                return .object(object)
            }
            let keyStart = index
            let key: String
            if c == "\"" || c == "'" {
                key = try parseString()
            } else if Self.isIdentifierStart(c) || c == "\\" {
                key = try parseIdentifier()
            } else {
                throw error("expected a key or '}' in \(pathText), found \(Self.describe(c))")
            }
            path.append(.key(key))
            defer { path.removeLast() }
            if let first = keyLocations[key] {
                let at = source.location(of: first)
                throw error(at: keyStart, "\(pathText) is set twice in the same object (first at line \(at.line), column \(at.column))")
            }
            keyLocations[key] = keyStart
            try skipTrivia()
            guard peek == ":" else { throw error("expected ':' after the key \(pathText), found \(Self.describe(peek))") }
            index += 1
            object[key] = try parseValue()
            try skipTrivia()
            switch peek {
            case ",": index += 1
            case "}": continue
            default: throw error("expected ',' or '}' after the value of \(pathText), found \(Self.describe(peek))")
            }
        }
    }

    private mutating func parseArray() throws(JSON5Error) -> JSONValue {
        index += 1  // [
        var array: [JSONValue] = []
        while true {
            try skipTrivia()
            if peek == "]" {
                index += 1
                return .array(array)
            }
            path.append(.index(array.count))
            defer { path.removeLast() }
            array.append(try parseValue())
            try skipTrivia()
            switch peek {
            case ",": index += 1
            case "]": continue
            default: throw error("expected ',' or ']' after \(pathText), found \(Self.describe(peek))")
            }
        }
    }

    // MARK: - Whitespace and comments

    mutating func skipTrivia() throws(JSON5Error) {
        while let c = peek {
            if Self.isWhitespace(c) {
                index += 1
            } else if c == "/" && peek(1) == "/" {
                while let d = peek, !Self.isLineTerminator(d) { index += 1 }
            } else if c == "/" && peek(1) == "*" {
                let start = index
                index += 2
                while !(peek == "*" && peek(1) == "/") {
                    guard peek != nil else { throw error(at: start, "a /* comment is not closed with */") }
                    index += 1
                }
                index += 2
            } else {
                return
            }
        }
    }

    // MARK: - Reading

    var peek: Unicode.Scalar? { peek(0) }

    func peek(_ ahead: Int) -> Unicode.Scalar? { index + ahead < text.count ? text[index + ahead] : nil }

    /// The field path as config issues write it, quoted; "the document" at the top.
    var pathText: String {
        guard !path.isEmpty else { return "the document" }
        var out = ""
        for component in path {
            switch component {
            case .key(let key): out += out.isEmpty ? key : ".\(key)"
            case .index(let i): out += "[\(i)]"
            }
        }
        return "\"\(out)\""
    }

    func error(_ message: String) -> JSON5Error { error(at: index, message) }

    func error(at position: Int, _ message: String) -> JSON5Error {
        let at = source.location(of: position)
        return JSON5Error(line: at.line, column: at.column, message: message)
    }

    /// A character as a message shows it: `'x'`, or its name when it is invisible.
    static func describe(_ c: Unicode.Scalar?) -> String {
        guard let c else { return "the end of the file" }
        switch c {
        case "\n", "\r", "\u{2028}", "\u{2029}": return "a line break"
        case "\t": return "a tab"
        case " ": return "a space"
        case "'": return "\"'\""
        default:
            guard isVisible(c) else {
                let hex = String(c.value, radix: 16, uppercase: true)
                return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            }
            return "'\(c)'"
        }
    }

    private static func isVisible(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return c.value > 0x20 && c.value < 0x7F }
        switch c.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse,
            .unassigned, .nonspacingMark, .enclosingMark:
            return false
        default:
            return true
        }
    }
}
