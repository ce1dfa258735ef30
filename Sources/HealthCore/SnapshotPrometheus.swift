extension Snapshot {
    /// Prometheus text exposition format (0.0.4) for node_exporter's textfile collector.
    /// Health is a number so it can be graphed and alerted on: 0 healthy, 1 degraded, 2 down.
    public func prometheusText() -> String {
        var out = PromWriter()
        out.family("healthd_snapshot_timestamp_seconds", "When healthd evaluated this snapshot.")
        out.sample("healthd_snapshot_timestamp_seconds", [], generatedAt.seconds)
        out.family("healthd_system_health", "System health: 0 healthy, 1 degraded, 2 down.")
        out.sample("healthd_system_health", [], Double(health.rawValue))
        out.family("healthd_component_health", "Component health: 0 healthy, 1 degraded, 2 down.")
        for c in components {
            guard let h = c.health else { continue }
            out.sample("healthd_component_health", [("component", c.name)], Double(h.rawValue))
        }
        out.family("healthd_probe_health", "Probe health: 0 healthy, 1 degraded, 2 down; absent while pending.")
        for p in probes {
            guard let h = p.health else { continue }
            out.sample("healthd_probe_health", [("probe", p.name), ("kind", p.kind)], Double(h.rawValue))
        }
        out.family("healthd_probe_up", "1 if the probe's last attempt succeeded.")
        for p in probes { if let ok = p.ok { out.sample("healthd_probe_up", [("probe", p.name)], ok ? 1 : 0) } }
        out.family("healthd_probe_latency_seconds", "Latency of the probe's last attempt.")
        for p in probes {
            if let l = p.latencyMs { out.sample("healthd_probe_latency_seconds", [("probe", p.name)], l / 1000) }
        }
        out.family("healthd_probe_value", "The value the probe's last successful attempt measured.")
        for p in probes { if let v = p.value { out.sample("healthd_probe_value", [("probe", p.name)], v) } }
        out.family("healthd_probe_consecutive_failures", "Failed attempts in a row.")
        for p in probes {
            out.sample("healthd_probe_consecutive_failures", [("probe", p.name)], Double(p.consecutiveFailures))
        }
        out.family("healthd_probe_availability", "Share of successful attempts over the window.")
        forEachWindow { p, span, s in
            if let a = s.availability { out.sample("healthd_probe_availability", [("probe", p), ("window", span)], a) }
        }
        // `quantile` is reserved for summaries, hence `percentile`.
        out.family("healthd_probe_window_latency_seconds", "Latency percentiles of successful attempts over the window.")
        forEachWindow { p, span, s in
            for (q, v) in [("p50", s.latencyP50), ("p95", s.latencyP95), ("p99", s.latencyP99)] {
                guard let v else { continue }
                out.sample("healthd_probe_window_latency_seconds",
                           [("probe", p), ("window", span), ("percentile", q)], v / 1000)
            }
        }
        return out.text
    }

    private func forEachWindow(_ body: (String, String, WindowStats) -> Void) {
        for p in probes {
            for (span, stats) in p.windows { body(p.name, span.description, stats) }
        }
    }
}

private struct PromWriter {
    var text = ""

    mutating func family(_ name: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + (value.isFinite ? formatJSONNumber(value) : (value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf")) + "\n"
    }

    private func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
