import HealthCore

/// `healthctl silences`: each silence's id, state, what it matches, when, who and why.
package enum SilencesView {
    package static func render(_ doc: [String: Any], style: TerminalStyle, now: Timestamp) -> String {
        let silences = doc["silences"] as? [[String: Any]] ?? []
        guard !silences.isEmpty else { return "no silences" }
        let idWidth = silences.map { ($0["id"] as? String ?? "").count }.max() ?? 0
        var lines: [String] = []
        for s in silences {
            let active = s["active"] as? Bool == true
            let state = active ? style.paint(Text.pad("active", 8), code: "33") : style.dim(Text.pad(state(s, now: now), 8))
            let match = (s["match"] as? [String] ?? []).joined(separator: ", ")
            var line = "  \(Text.pad(s["id"] as? String ?? "?", idWidth))  \(state)  \(style.bold(match))  \(when(s, now: now))"
            if let by = s["created_by"] as? String { line += "  by \(by)" }
            lines.append(line)
            if let reason = s["reason"] as? String, !reason.isEmpty { lines.append("  \(String(repeating: " ", count: idWidth))  " + style.dim(reason)) }
        }
        return lines.joined(separator: "\n")
    }

    /// Not active: not begun yet, or over (weekly ones wait for their next window).
    static func state(_ s: [String: Any], now: Timestamp) -> String {
        if s["weekly"] != nil { return "waiting" }
        if let start = (s["start"] as? String).flatMap(Timestamp.init(iso8601:)), start > now { return "upcoming" }
        return "expired"
    }

    /// `until 2026-…Z (in 1h59m)`, or `weekly sat at 02:00 UTC for 2h`.
    static func when(_ s: [String: Any], now: Timestamp) -> String {
        if let w = s["weekly"] as? [String: Any] {
            let days = (w["days"] as? [String] ?? []).joined(separator: ",")
            return "weekly \(days) at \(w["at"] as? String ?? "?") UTC for \(w["duration"] as? String ?? "?")"
        }
        var parts: [String] = []
        if let start = s["start"] as? String, let t = Timestamp(iso8601: start), t > now {
            parts.append("from \(start) (\(Text.relative(start, now: now) ?? ""))")
        }
        if let end = s["end"] as? String { parts.append("until \(end)" + (Text.relative(end, now: now).map { " (\($0))" } ?? "")) }
        return parts.joined(separator: " ")
    }

    /// One line for what `silence` and `unsilence` answered: `redis* until 2026-…Z (in 2h)`.
    static func summary(_ s: [String: Any], now: Timestamp) -> String {
        let match = (s["match"] as? [String] ?? []).joined(separator: ", ")
        return "\(match) \(when(s, now: now))"
    }
}
