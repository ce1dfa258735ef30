import HealthCore

/// `healthctl alerts`: what is firing, and why some of it is not being sent.
package enum AlertsView {
    package static func render(_ doc: [String: Any], style: TerminalStyle, now: Timestamp) -> String {
        let alerts = doc["alerts"] as? [[String: Any]] ?? []
        guard !alerts.isEmpty else { return style.good("no alerts firing") }
        var lines = ["\(alerts.count) alert\(alerts.count == 1 ? "" : "s") firing"]
        for a in alerts {
            let level = a["level"] as? String
            let mark = StatusTable.marks[level ?? ""] ?? "… "
            var head = "\(mark) \(style.bold(subject(a)))  \(style.health(level, level ?? "?"))"
            if let severity = a["severity"] as? String { head += " (\(severity))" }
            if let start = a["starts_at"] as? String {
                head += "  since \(start)" + (Text.relative(start, now: now).map { ", \($0)" } ?? "")
            }
            lines.append("")
            lines.append("  " + head)
            for reason in a["reasons"] as? [String] ?? [] { lines.append("      \(reason)") }
            let notes = notes(a)
            if !notes.isEmpty { lines.append("      " + style.dim(notes.joined(separator: " · "))) }
        }
        return lines.joined(separator: "\n")
    }

    /// `db`, `component queue`, `system`: probes are the common case, so they go bare.
    static func subject(_ a: [String: Any]) -> String {
        let name = a["name"] as? String ?? "?"
        switch a["kind"] as? String {
        case "component": return "component \(name)"
        case "system": return "system"
        default: return name
        }
    }

    /// Why the alert is quiet, or where it goes.
    static func notes(_ a: [String: Any]) -> [String] {
        var notes: [String] = []
        if let id = a["silenced_by"] as? String { notes.append("silenced by \(id) (healthctl unsilence \(id))") }
        if let root = a["suppressed_by"] as? String { notes.append("suppressed: \(root) is down (root cause)") }
        if a["flapping"] as? Bool == true { notes.append("flapping") }
        if let hooks = a["hooks"] as? [String], !hooks.isEmpty { notes.append("hooks: \(hooks.joined(separator: ", "))") }
        return notes
    }
}
