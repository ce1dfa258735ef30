/// A small streaming JSON writer: key order is ours (the snapshot reads top-down) and
/// numbers are written the way the brief shows them (150, not 150.0).
///
/// It appends UTF-8 bytes: a snapshot of 1,000 probes is ~800 KiB, and appending to a String
/// costs several times more per piece than appending to a byte array.
package struct JSONWriter {
    private var bytes: [UInt8] = []
    /// Whether the next element needs a comma before it. A closed container is always an element of its
    /// parent, so one flag does what a stack per nesting level would.
    private var needsComma = false

    package init() { bytes.reserveCapacity(4096) }

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// The document so far.
    package var output: String { String(decoding: bytes, as: UTF8.self) }

    package mutating func beginObject() { element(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    package mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    package mutating func beginArray() { element(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    package mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    package mutating func key(_ k: String) {
        element()
        bytes.appendJSONString(k)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    package mutating func string(_ s: String?) {
        element()
        if let s { bytes.appendJSONString(s) } else { bytes.appendASCII("null") }
    }

    package mutating func number(_ v: Double?) {
        element()
        guard let v, v.isFinite else { return bytes.appendASCII("null") }
        bytes.appendJSONNumber(v)
    }

    package mutating func number(_ v: Int) { element(); bytes.appendInteger(Int64(v)) }
    package mutating func bool(_ b: Bool?) { element(); bytes.appendASCII(b.map { $0 ? "true" : "false" } ?? "null") }
    package mutating func null() { element(); bytes.appendASCII("null") }

    package mutating func field(_ k: String, _ s: String?) { key(k); string(s) }
    package mutating func field(_ k: String, _ v: Double?) { key(k); number(v) }
    package mutating func field(_ k: String, _ v: Int) { key(k); number(v) }
    package mutating func field(_ k: String, _ b: Bool?) { key(k); bool(b) }
    package mutating func field(_ k: String, strings: [String]) {
        key(k)
        beginArray()
        for s in strings { string(s) }
        endArray()
    }

    private mutating func element() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }
}

/// Integers without a fraction, others at most 6 significant decimals after the point.
package func formatJSONNumber(_ v: Double) -> String {
    var bytes: [UInt8] = []
    bytes.appendJSONNumber(v)
    return String(decoding: bytes, as: UTF8.self)
}

extension [UInt8] {
    package mutating func appendASCII(_ s: StaticString) {
        s.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends `s`'s UTF-8 bytes as they are.
    package mutating func appendUTF8(_ s: String) {
        var s = s
        s.withUTF8 { append(contentsOf: $0) }
    }

    /// Decimal digits of `v`, as `String(v)` spells them.
    package mutating func appendInteger(_ v: Int64) {
        if v < 0 { append(UInt8(ascii: "-")) }
        var rest = v.magnitude
        let start = count
        repeat {
            append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        self[start...].reverse()
    }

    /// `formatJSONNumber`'s text for a finite `v`.
    package mutating func appendJSONNumber(_ v: Double) {
        if v == v.rounded(), abs(v) < 1e15 { return appendInteger(Int64(v)) }
        let rounded = (v * 1e6).rounded() / 1e6
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return appendInteger(Int64(rounded)) }
        appendUTF8(abs(v) < 1e-6 || abs(v) > 1e15 ? v.description : rounded.description)
    }

    /// `s` quoted, escaping `"`, `\` and control characters; runs that need no escaping are copied whole.
    mutating func appendJSONString(_ s: String) {
        append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            var runStart = 0
            for (i, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                runStart = i + 1
                switch byte {
                case UInt8(ascii: "\""): appendASCII("\\\"")
                case UInt8(ascii: "\\"): appendASCII("\\\\")
                case UInt8(ascii: "\n"): appendASCII("\\n")
                case UInt8(ascii: "\r"): appendASCII("\\r")
                case UInt8(ascii: "\t"): appendASCII("\\t")
                default:
                    let hex: StaticString = "0123456789abcdef"
                    appendASCII("\\u00")
                    append(hex.utf8Start[Int(byte >> 4)])
                    append(hex.utf8Start[Int(byte & 0x0F)])
                }
            }
            append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        append(UInt8(ascii: "\""))
    }
}
