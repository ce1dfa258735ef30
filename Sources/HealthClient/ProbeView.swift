import HealthCore

/// `healthctl probe NAME`: everything the snapshot knows about one probe, then its attached rows.
package enum ProbeView {
    package static func render(_ doc: [String: Any], style: TerminalStyle, now: Timestamp) -> String {
        guard let (name, any) = doc.first, let p = any as? [String: Any] else { return "no such probe in the answer" }
        let health = p["health"] as? String
        var lines = ["\(StatusTable.marks[health ?? ""] ?? "… ") \(style.bold(name))  \(style.health(health, health ?? "pending"))"
            + "  (\(p["kind"] as? String ?? "?")\(p["critical"] as? Bool == false ? ", not critical" : ""))"]
        func fact(_ label: String, _ value: String?) {
            if let value, !value.isEmpty { lines.append("  \(Text.pad(label, 12)) \(value)") }
        }
        fact("since", (p["since"] as? String).map { "\($0) (\(Text.relative($0, now: now) ?? ""))" })
        let late = p["overdue"] as? Bool == true ? " " + style.bad("overdue") : ""
        fact("last run", (p["last_run"] as? String).map { "\($0) (\(Text.relative($0, now: now) ?? ""))\(late)" })
        fact("latency", Text.number(p["latency_ms"]).map(Text.ms))
        fact("timings", timings(p["timings_ms"] as? [String: Any]))
        var value = Text.number(p["value"]).map { formatNumber($0) }
        if p["stale"] as? Bool == true, let v = value {
            value = v + " (stale" + (Text.number(p["stale_for_s"]).map { " for \(Text.span(seconds: $0))" } ?? "") + ")"
        }
        if let source = p["value_source"] as? String, let v = value { value = v + " from \(source)" }
        fact("value", value ?? (p["no_data"] as? Bool == true ? "no data" : nil))
        fact("failures", Text.number(p["consecutive_failures"]).flatMap { $0 > 0 ? String(Int($0)) : nil })
        fact("message", p["message"] as? String)
        if let e = p["error"] as? [String: Any] {
            fact("error", style.bad("\(e["category"] as? String ?? "?"): \(e["message"] as? String ?? "")"))
        }
        fact("suppressed", (p["suppressed_by"] as? String).map { "by \($0) (its root cause)" })
        if p["flapping"] as? Bool == true { fact("flapping", "yes") }
        for (label, value) in tls(p["tls"] as? [String: Any], style: style) { fact(label, value) }
        for reason in p["reasons"] as? [String] ?? [] { fact("reason", reason) }
        lines += windows(p["windows"] as? [String: [String: Any]] ?? [:], style: style)
        lines += details(p["details"] as? [[String: Any]] ?? [], style: style)
        return lines.joined(separator: "\n")
    }

    /// `connect 0.4ms · tls 3.1ms · first byte 4ms · total 4.2ms`: the phases the attempt reached.
    static func timings(_ t: [String: Any]?) -> String? {
        guard let t else { return nil }
        let phases = [("connect", "connect"), ("tls", "tls"), ("first_byte", "first byte"), ("total", "total")]
        return phases.compactMap { key, label in Text.number(t[key]).map { "\(label) \(Text.ms($0))" } }.joined(separator: " · ")
    }

    /// The TLS session: protocol and cipher, then the certificate's subject, issuer, names and expiry, yellow
    /// when it is near and red once past (counted from the server's time, `expires_in_s`).
    static func tls(_ t: [String: Any]?, style: TerminalStyle) -> [(String, String?)] {
        guard let t else { return [] }
        var expiry = t["not_after"] as? String
        if let iso = expiry, let left = Text.number(t["expires_in_s"]) {
            if left < 0 {
                expiry = style.bad("\(iso) (expired \(Text.span(seconds: -left)) ago)")
            } else {
                let text = "\(iso) (in \(Text.span(seconds: left)))"
                expiry = left < TLSFacts.expiryWarning.seconds ? style.health("degraded", text) : text
            }
        }
        return [
            ("tls", [t["version"], t["cipher"]].compactMap { $0 as? String }.joined(separator: ", ")),
            ("subject", t["subject"] as? String),
            ("issuer", t["issuer"] as? String),
            ("names", (t["dns_names"] as? [String])?.joined(separator: ", ")),
            ("cert expires", expiry),
        ]
    }

    /// One row per window, shortest first.
    static func windows(_ windows: [String: [String: Any]], style: TerminalStyle) -> [String] {
        guard !windows.isEmpty else { return [] }
        var lines = ["", style.dim("  window   count  avail     errors    p50       p95       p99       value min/avg/max")]
        let sorted = windows.sorted { (TimeSpan(parsing: $0.key)?.nanoseconds ?? 0) < (TimeSpan(parsing: $1.key)?.nanoseconds ?? 0) }
        for (span, w) in sorted {
            let lat = w["latency_ms"] as? [String: Any] ?? [:]
            let val = w["value"] as? [String: Any] ?? [:]
            let cells = [
                Text.number(w["count"]).map { String(Int($0)) } ?? "-",
                Text.number(w["availability"]).map(Text.percent) ?? "-",
                Text.number(w["error_rate"]).map(Text.percent) ?? "-",
                Text.number(lat["p50"]).map(Text.ms) ?? "-",
                Text.number(lat["p95"]).map(Text.ms) ?? "-",
                Text.number(lat["p99"]).map(Text.ms) ?? "-",
            ]
            let values = ["min", "avg", "max"].map { Text.number(val[$0]).map { formatNumber($0) } ?? "-" }.joined(separator: "/")
            lines.append("  \(Text.pad(span, 7)) \(Text.padLeft(cells[0], 6))  " + cells.dropFirst().map { Text.pad($0, 9) }.joined(separator: " ") + " \(values)")
        }
        return lines
    }

    /// The rows a probe attached (the last failures, say), one `key: value` block per row.
    static func details(_ rows: [[String: Any]], style: TerminalStyle) -> [String] {
        guard !rows.isEmpty else { return [] }
        var lines = ["", style.dim("  \(rows.count) attached row\(rows.count == 1 ? "" : "s"):")]
        for row in rows {
            lines.append("  - " + row.sorted { $0.key < $1.key }.map { "\($0.key): \(Text.describe($0.value))" }.joined(separator: "  "))
        }
        return lines
    }
}
