/// A small streaming JSON writer: key order is ours (the snapshot reads top-down) and
/// numbers are written the way the brief shows them (150, not 150.0).
public struct JSONWriter {
    public private(set) var output = ""
    private var needsComma = [false]

    public init() { output.reserveCapacity(4096) }

    public mutating func beginObject() { element(); output += "{"; needsComma.append(false) }
    public mutating func endObject() { output += "}"; needsComma.removeLast() }
    public mutating func beginArray() { element(); output += "["; needsComma.append(false) }
    public mutating func endArray() { output += "]"; needsComma.removeLast() }

    public mutating func key(_ k: String) {
        element()
        writeString(k)
        output += ":"
        needsComma[needsComma.count - 1] = false
    }

    public mutating func string(_ s: String?) {
        element()
        if let s { writeString(s) } else { output += "null" }
    }

    public mutating func number(_ v: Double?) {
        element()
        guard let v, v.isFinite else { output += "null"; return }
        output += formatJSONNumber(v)
    }

    public mutating func number(_ v: Int) { element(); output += String(v) }
    public mutating func bool(_ b: Bool?) { element(); output += b.map { $0 ? "true" : "false" } ?? "null" }
    public mutating func null() { element(); output += "null" }

    public mutating func field(_ k: String, _ s: String?) { key(k); string(s) }
    public mutating func field(_ k: String, _ v: Double?) { key(k); number(v) }
    public mutating func field(_ k: String, _ v: Int) { key(k); number(v) }
    public mutating func field(_ k: String, _ b: Bool?) { key(k); bool(b) }
    public mutating func field(_ k: String, strings: [String]) {
        key(k)
        beginArray()
        for s in strings { string(s) }
        endArray()
    }

    private mutating func element() {
        if needsComma[needsComma.count - 1] { output += "," }
        needsComma[needsComma.count - 1] = true
    }

    private mutating func writeString(_ s: String) {
        output += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(u)
            }
        }
        output += "\""
    }
}

/// Integers without a fraction, others at most 6 significant decimals after the point.
func formatJSONNumber(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    let rounded = (v * 1e6).rounded() / 1e6
    if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
    return abs(v) < 1e-6 || abs(v) > 1e15 ? String(v) : String(rounded)
}
