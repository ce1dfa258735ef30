import Foundation

/// A snapshot as a terminal table: system, components, then probes with state, latency, value, reasons.
package enum StatusTable {
    static let marks = ["healthy": "✅", "degraded": "⚠️ ", "down": "❌"]

    /// 0 healthy, 1 degraded, 2 down, 3 unknown — still pending (no critical probe has answered yet) or
    /// unreadable: the Nagios plugin convention, where 3 is UNKNOWN.
    package static func exitCode(json: [UInt8]) -> Int32 {
        let doc = (try? JSONSerialization.jsonObject(with: Data(json))) as? [String: Any]
        switch doc?["health"] as? String {
        case "healthy": return 0
        case "degraded": return 1
        case "down": return 2
        default: return 3
        }
    }

    package static func render(json: [UInt8], colour: Bool = false) -> String {
        guard let doc = (try? JSONSerialization.jsonObject(with: Data(json))) as? [String: Any] else {
            return "unreadable snapshot: \(String(decoding: json.prefix(200), as: UTF8.self))"
        }
        if let error = doc["error"] as? String { return "error: \(error)" }
        // null while every critical probe is pending
        let health = doc["health"] as? String
        func paint(_ h: String?, _ text: String) -> String {
            guard colour, let h, let code = ["healthy": "32", "degraded": "33", "down": "31"][h] else { return text }
            return "\u{1B}[\(code)m\(text)\u{1B}[0m"
        }
        let pending = (doc["pending"] as? Int).map { $0 == 0 ? "" : " · \($0) probe\($0 == 1 ? "" : "s") pending" } ?? ""
        var lines = ["\(mark(health)) system \(paint(health, health ?? "pending"))\(pending)   (\(doc["generated_at"] as? String ?? ""))"]
        if let components = doc["components"] as? [String: [String: Any]], !components.isEmpty {
            lines.append("")
            for (name, c) in components.sorted(by: { $0.key < $1.key }) {
                let h = c["health"] as? String
                lines.append("  \(mark(h)) \(pad(name, 24)) \(paint(h, h ?? "pending"))")
            }
        }
        lines.append("")
        for (name, p) in ((doc["probes"] as? [String: [String: Any]]) ?? [:]).sorted(by: { $0.key < $1.key }) {
            let h = p["health"] as? String
            let latency = (p["latency_ms"] as? Double).map { String(format: "%.1fms", $0) } ?? "-"
            let value = (p["value"] as? Double).map { String(format: "%g", $0) } ?? "-"
            var why = (p["reasons"] as? [String] ?? []).joined(separator: "; ")
            if why.isEmpty, let err = p["error"] as? [String: Any] { why = "\(err["category"] ?? ""): \(err["message"] ?? "")" }
            lines.append("  \(mark(h)) \(pad(name, 24)) \(paint(h, pad(h ?? "pending", 9))) \(pad(latency, 10)) \(pad(value, 10)) \(why)")
        }
        return lines.joined(separator: "\n")
    }

    private static func mark(_ h: String?) -> String { h.flatMap { marks[$0] } ?? "… " }
    private static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
}
