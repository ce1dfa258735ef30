import HealthCore

extension Snapshot {
    /// Prometheus text exposition format (0.0.4) for node_exporter's textfile collector.
    /// Health is a number so it can be graphed and alerted on: 0 healthy, 1 degraded, 2 down.
    package func prometheusText() -> String {
        var out = PromWriter(capacity: 4096 + probes.count * 1536)  // ~1.3 KB a probe: one allocation
        out.family("healthd_snapshot_timestamp_seconds", "When healthd evaluated this snapshot.")
        out.sample("healthd_snapshot_timestamp_seconds", generatedAt.seconds)
        out.family("healthd_system_health", "System health: 0 healthy, 1 degraded, 2 down; absent while pending.")
        if let health { out.sample("healthd_system_health", Double(health.rawValue)) }
        out.family("healthd_component_health", "Component health: 0 healthy, 1 degraded, 2 down.")
        for c in components {
            guard let h = c.health else { continue }
            out.sample("healthd_component_health", Double(h.rawValue), ("component", c.name))
        }
        out.family("healthd_probe_health", "Probe health: 0 healthy, 1 degraded, 2 down; absent while pending.")
        for p in probes {
            guard let h = p.health else { continue }
            out.sample("healthd_probe_health", Double(h.rawValue), ("probe", p.name), ("kind", p.kind))
        }
        out.family("healthd_probe_up", "1 if the probe's last attempt succeeded.")
        for p in probes { if let ok = p.ok { out.sample("healthd_probe_up", ok ? 1 : 0, ("probe", p.name)) } }
        out.family("healthd_probe_latency_seconds", "Latency of the probe's last attempt.")
        for p in probes {
            if let l = p.latencyMs { out.sample("healthd_probe_latency_seconds", l / 1000, ("probe", p.name)) }
        }
        out.family("healthd_probe_value", "The value the probe's last successful attempt measured.")
        for p in probes { if let v = p.value { out.sample("healthd_probe_value", v, ("probe", p.name)) } }
        out.family("healthd_probe_consecutive_failures", "Failed attempts in a row.")
        for p in probes {
            out.sample("healthd_probe_consecutive_failures", Double(p.consecutiveFailures), ("probe", p.name))
        }
        out.family("healthd_probe_overdue", "1 if the probe has had no result for more than two intervals.")
        for p in probes { out.sample("healthd_probe_overdue", p.overdue ? 1 : 0, ("probe", p.name)) }
        out.family("healthd_probe_cert_expiry_timestamp_seconds",
                   "When the earliest certificate of the last TLS session the probe saw expires.")
        for p in probes {
            if let tls = p.tls { out.sample("healthd_probe_cert_expiry_timestamp_seconds", tls.notAfter.seconds, ("probe", p.name)) }
        }
        var names = WindowNames()
        out.family("healthd_probe_availability", "Share of successful attempts over the window.")
        for p in probes {
            for (span, s) in p.windows {
                guard let a = s.availability else { continue }
                out.sample("healthd_probe_availability", a, ("probe", p.name), ("window", names.name(of: span)))
            }
        }
        // `quantile` is reserved for summaries, hence `percentile`.
        out.family("healthd_probe_window_latency_seconds", "Latency percentiles of successful attempts over the window.")
        for p in probes {
            for (span, s) in p.windows {
                let window = names.name(of: span)
                out.latency(s.latencyP50, percentile: "p50", probe: p.name, window: window)
                out.latency(s.latencyP95, percentile: "p95", probe: p.name, window: window)
                out.latency(s.latencyP99, percentile: "p99", probe: p.name, window: window)
            }
        }
        return String(decoding: out.bytes, as: UTF8.self)
    }
}

/// Writes UTF-8 bytes, as `JSONWriter` does; labels are passed one by one so that no sample allocates.
private struct PromWriter {
    typealias Label = (name: StaticString, value: String)

    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func family(_ name: StaticString, _ help: StaticString) {
        bytes.appendASCII("# HELP ")
        bytes.appendASCII(name)
        bytes.append(UInt8(ascii: " "))
        bytes.appendASCII(help)
        bytes.appendASCII("\n# TYPE ")
        bytes.appendASCII(name)
        bytes.appendASCII(" gauge\n")
    }

    mutating func sample(_ name: StaticString, _ value: Double, _ first: Label? = nil, _ second: Label? = nil,
                         _ third: Label? = nil) {
        bytes.appendASCII(name)
        if let first {
            label(first, opening: UInt8(ascii: "{"))
            if let second { label(second, opening: UInt8(ascii: ",")) }
            if let third { label(third, opening: UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
        if value.isFinite {
            bytes.appendJSONNumber(value)
        } else {
            bytes.appendASCII(value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf")
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    mutating func latency(_ ms: Double?, percentile: String, probe: String, window: String) {
        guard let ms else { return }
        sample("healthd_probe_window_latency_seconds", ms / 1000, ("probe", probe), ("window", window), ("percentile", percentile))
    }

    private mutating func label(_ label: Label, opening: UInt8) {
        bytes.append(opening)
        bytes.appendASCII(label.name)
        bytes.appendASCII("=\"")
        // Nearly every value needs no escaping; the rest go through Characters as before, so that a "\r\n"
        // grapheme stays as it is.
        let special = label.value.utf8.contains { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }
        if special {
            bytes.appendUTF8(escape(label.value))
        } else {
            bytes.appendUTF8(label.value)
        }
        bytes.append(UInt8(ascii: "\""))
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
