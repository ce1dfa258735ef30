import Foundation

/// `healthctl audit`: one line per entry, oldest first, as the server sends them.
package enum AuditView {
    package static func render(_ doc: [String: Any], style: TerminalStyle) -> String {
        let entries = doc["entries"] as? [[String: Any]] ?? []
        guard !entries.isEmpty else { return "no audit entries yet" }
        return entries.map { line($0, style: style) }.joined(separator: "\n")
    }

    static func line(_ e: [String: Any], style: TerminalStyle) -> String {
        let time = e["time"] as? String ?? "?"
        let type = e["type"] as? String ?? "?"
        var parts: [String]
        switch type {
        case "operator":
            var who = e["user"] as? String ?? "?"
            let ids = [Text.number(e["uid"]).map { "uid \(Int($0))" }, Text.number(e["pid"]).map { "pid \(Int($0))" }].compactMap { $0 }
            if !ids.isEmpty { who += " (\(ids.joined(separator: ", ")))" }
            parts = [who, style.bold(e["op"] as? String ?? "?")]
            if let details = e["details"], !(details is NSNull), !Text.describe(details).isEmpty { parts.append(Text.describe(details)) }
        case "notification":
            parts = ["hook \(style.bold(e["hook"] as? String ?? "?"))"]
            if let attempt = Text.number(e["attempt"]) { parts.append("attempt \(Int(attempt))") }
            if let alerts = e["alerts"], !(alerts is NSNull) { parts.append(Text.describe(alerts)) }
        default:
            // A type this healthctl does not know yet: show its fields rather than nothing.
            parts = [Text.describe(e.filter { !["time", "type", "outcome"].contains($0.key) })]
        }
        var text = "\(time)  \(Text.pad(type, 12))  \(parts.joined(separator: "  "))"
        if let outcome = e["outcome"] as? String { text += "  → " + (outcome == "ok" ? style.good(outcome) : style.bad(outcome)) }
        if let ms = Text.number(e["latency_ms"]) { text += " " + style.dim(Text.ms(ms)) }
        if let error = e["error"] as? String, !error.isEmpty { text += ": \(message(error))" }
        return text
    }

    /// An error recorded as the answer the client got (`{"error":"…"}`) reads better as its message.
    static func message(_ error: String) -> String {
        let trimmed = error.trimmingCharacters(in: .whitespacesAndNewlines)
        let answer = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any]
        return answer?["error"] as? String ?? trimmed
    }
}
