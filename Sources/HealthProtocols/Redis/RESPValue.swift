/// One value of the Redis serialization protocol, RESP2 and RESP3
/// (https://redis.io/docs/latest/develop/reference/protocol-spec/). `RESPParser` produces them.
///
/// Text that RESP defines as a line (simple strings, errors, big numbers) is decoded as UTF-8,
/// invalid sequences repaired; binary-safe payloads (bulk strings, verbatim strings) stay bytes.
package indirect enum RESPValue: Sendable, Equatable, CustomStringConvertible {
    /// `+OK`
    case simpleString(String)
    /// `-ERR message` (simple error).
    case error(String)
    /// `:42`
    case integer(Int64)
    /// `$5 hello`; nil is the RESP2 null bulk string `$-1`.
    case bulkString([UInt8]?)
    /// `*2 …`; nil is the RESP2 null array `*-1`.
    case array([RESPValue]?)
    /// RESP3 `_`.
    case null
    /// RESP3 `#t` / `#f`.
    case boolean(Bool)
    /// RESP3 `,3.14`, also `inf`, `-inf` and `nan`.
    case double(Double)
    /// RESP3 `(12345678901234567890`: the digits with their optional sign, as sent.
    case bigNumber(String)
    /// RESP3 `!21 SYNTAX invalid syntax` (bulk error).
    case bulkError(String)
    /// RESP3 `=15 txt:Some string`: the payload without its `xxx:` prefix, and that format (`txt`, `mkd`).
    case verbatimString([UInt8], format: String)
    /// RESP3 `%`: key/value pairs in the order sent (keys may repeat and need not be strings).
    case map([(key: RESPValue, value: RESPValue)])
    /// RESP3 `~`: elements in the order sent.
    case set([RESPValue])
    /// RESP3 `>`: an out-of-band message (pub/sub, client-side caching invalidation).
    case push([RESPValue])
    /// A value preceded by a RESP3 attribute `|`, when the parser is told to keep attributes
    /// (`RESPParser.AttributeHandling.attach`); by default attributes are skipped.
    case attributed([(key: RESPValue, value: RESPValue)], RESPValue)

    /// The error text of `-…` and `!…` replies.
    package var errorMessage: String? {
        switch self {
        case .error(let message), .bulkError(let message): message
        case .attributed(_, let value): value.errorMessage
        default: nil
        }
    }

    /// Bytes of a simple, bulk or verbatim string.
    package var bytes: [UInt8]? {
        switch self {
        case .simpleString(let s): Array(s.utf8)
        case .bulkString(let b): b
        case .verbatimString(let b, _): b
        case .attributed(_, let value): value.bytes
        default: nil
        }
    }

    /// A simple, bulk or verbatim string as text (invalid UTF-8 repaired).
    package var string: String? {
        switch self {
        case .simpleString(let s): s
        case .bulkString(let b?), .verbatimString(let b, _): String(decoding: b, as: UTF8.self)
        case .attributed(_, let value): value.string
        default: nil
        }
    }

    /// RESP2 null bulk string or array, or RESP3 null.
    package var isNull: Bool {
        switch self {
        case .null, .bulkString(nil), .array(nil): true
        case .attributed(_, let value): value.isNull
        default: false
        }
    }

    /// The value without any attribute around it.
    package var withoutAttributes: RESPValue {
        if case .attributed(_, let value) = self { return value.withoutAttributes }
        return self
    }

    /// What kind of value this is, for messages: "integer", "null bulk string", "map" …
    package var typeName: String {
        switch self {
        case .simpleString: "simple string"
        case .error: "error"
        case .integer: "integer"
        case .bulkString(nil): "null bulk string"
        case .bulkString: "bulk string"
        case .array(nil): "null array"
        case .array: "array"
        case .null: "null"
        case .boolean: "boolean"
        case .double: "double"
        case .bigNumber: "big number"
        case .bulkError: "bulk error"
        case .verbatimString: "verbatim string"
        case .map: "map"
        case .set: "set"
        case .push: "push"
        case .attributed(_, let value): value.typeName
        }
    }

    /// A compact rendering for messages and test output; long strings and aggregates are shortened.
    package var description: String {
        var out = ""
        render(into: &out, budget: 200)
        return out
    }

    private func render(into out: inout String, budget: Int) {
        func text(_ bytes: [UInt8]) -> String { "\"" + RESPSyntax.escape(bytes, limit: Swift.max(budget, 8)) + "\"" }
        func list(_ open: String, _ items: [RESPValue], _ close: String) {
            out += open
            for (i, item) in items.enumerated() {
                if out.utf8.count > budget { out += "…"; break }
                if i > 0 { out += ", " }
                item.render(into: &out, budget: budget)
            }
            out += close
        }
        func pairs(_ open: String, _ items: [(key: RESPValue, value: RESPValue)], _ close: String) {
            out += open
            for (i, item) in items.enumerated() {
                if out.utf8.count > budget { out += "…"; break }
                if i > 0 { out += ", " }
                item.key.render(into: &out, budget: budget)
                out += ": "
                item.value.render(into: &out, budget: budget)
            }
            out += close
        }
        switch self {
        case .simpleString(let s): out += "+" + RESPSyntax.escape(Array(s.utf8), limit: budget)
        case .error(let s): out += "-" + RESPSyntax.escape(Array(s.utf8), limit: budget)
        case .integer(let n): out += String(n)
        case .bulkString(nil), .array(nil), .null: out += "nil"
        case .bulkString(let b?): out += text(b)
        case .array(let items?): list("[", items, "]")
        case .boolean(let b): out += b ? "true" : "false"
        case .double(let d): out += RESPSyntax.format(d)
        case .bigNumber(let s): out += "(" + s
        case .bulkError(let s): out += "!" + RESPSyntax.escape(Array(s.utf8), limit: budget)
        case .verbatimString(let b, let format): out += format + ":" + text(b)
        case .map(let items): pairs("{", items, "}")
        case .set(let items): list("~{", items, "}")
        case .push(let items): list(">[", items, "]")
        case .attributed(let attributes, let value):
            pairs("|{", attributes, "} ")
            value.render(into: &out, budget: budget)
        }
    }

    /// Structural equality; unlike `Double`'s `==`, a NaN double equals a NaN double.
    package static func == (a: RESPValue, b: RESPValue) -> Bool {
        switch (a, b) {
        case (.simpleString(let x), .simpleString(let y)): return x == y
        case (.error(let x), .error(let y)): return x == y
        case (.integer(let x), .integer(let y)): return x == y
        case (.bulkString(let x), .bulkString(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.null, .null): return true
        case (.boolean(let x), .boolean(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.bigNumber(let x), .bigNumber(let y)): return x == y
        case (.bulkError(let x), .bulkError(let y)): return x == y
        case (.verbatimString(let x, let f), .verbatimString(let y, let g)): return x == y && f == g
        case (.map(let x), .map(let y)): return pairsEqual(x, y)
        case (.set(let x), .set(let y)): return x == y
        case (.push(let x), .push(let y)): return x == y
        case (.attributed(let x, let v), .attributed(let y, let w)): return pairsEqual(x, y) && v == w
        default: return false
        }
    }

    private static func pairsEqual(
        _ x: [(key: RESPValue, value: RESPValue)], _ y: [(key: RESPValue, value: RESPValue)]
    ) -> Bool {
        x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
