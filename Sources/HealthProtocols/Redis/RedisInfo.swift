/// The text of an INFO reply: `# Section` headers and `field:value` lines, CRLF-separated.
/// Keyspace-style values are `key=value` lists (`db0:keys=12,expires=0,avg_ttl=0`); a field
/// `db0.keys` names one of those.
struct RedisInfo: Sendable {
    /// Fields in reply order.
    var fields: [(name: String, value: String)] = []

    init(_ bytes: [UInt8]) {
        for rawLine in bytes.split(separator: RESPSyntax.lf, omittingEmptySubsequences: true) {
            var line = rawLine[...]
            if line.last == RESPSyntax.cr { line = line.dropLast() }
            guard let first = line.first, first != UInt8(ascii: "#"),
                let colon = line.firstIndex(of: UInt8(ascii: ":"))
            else { continue }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self)
            fields.append((name, value))
        }
    }

    enum Lookup: Equatable {
        case number(Double)
        /// The field exists but is not a number.
        case notNumeric(String)
        /// No such field; some names that exist, best guesses first.
        case missing(suggestions: [String], total: Int)
    }

    func lookup(_ field: String) -> Lookup {
        let wanted = field.lowercased()
        if let hit = fields.first(where: { $0.name.lowercased() == wanted }) {
            return Self.number(hit.value)
        }
        if let dot = wanted.firstIndex(of: "."),
            let hit = fields.first(where: { $0.name.lowercased() == wanted[..<dot] })
        {
            let subfield = wanted[wanted.index(after: dot)...]
            let pairs: [(name: String, value: String)] = hit.value.split(separator: ",").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
            }
            if let sub = pairs.first(where: { $0.name.lowercased() == subfield }) {
                return Self.number(sub.value)
            }
            let names = pairs.map { hit.name + "." + $0.name }
            return .missing(suggestions: Array(names.prefix(6)), total: names.count)
        }
        return .missing(suggestions: suggestions(for: wanted), total: fields.count)
    }

    private static func number(_ text: String) -> Lookup {
        if let d = RESPSyntax.parseNumber(text.utf8) { return .number(d) }
        return .notNumeric(text)
    }

    /// Up to 6 field names: those resembling `wanted` (containing it, contained in it, or sharing
    /// its first word), then the first ones of the reply.
    private func suggestions(for wanted: String) -> [String] {
        let stem = wanted.split(separator: "_").first.map(String.init) ?? wanted
        var picked: [String] = []
        for (name, _) in fields where picked.count < 6 {
            let lower = name.lowercased()
            if lower.contains(wanted) || wanted.contains(lower) || lower.hasPrefix(stem + "_") || lower == stem {
                picked.append(name)
            }
        }
        for (name, _) in fields where picked.count < 6 && !picked.contains(name) {
            picked.append(name)
        }
        return picked
    }
}
