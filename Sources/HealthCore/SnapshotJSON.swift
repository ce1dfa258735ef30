extension Snapshot {
    /// The snapshot document exactly as the interface contract names its fields.
    package func json() -> String {
        var w = JSONWriter(capacity: 1024 + probes.count * 1024)  // ~800 bytes a probe: one allocation
        write(to: &w)
        return w.output
    }

    package func write(to w: inout JSONWriter) {
        w.beginObject()
        w.field("version", Snapshot.version)
        w.field("generated_at", generatedAt.iso8601())
        w.field("health", health?.description)
        w.field("reasons", strings: reasons)
        w.field("pending", pendingCount)
        w.key("probes")
        w.beginObject()
        var names = WindowNames()
        for p in probes {
            w.key(p.name)
            p.write(to: &w, now: generatedAt, names: &names)
        }
        w.endObject()
        w.key("components")
        w.beginObject()
        for c in components {
            w.key(c.name)
            w.beginObject()
            w.field("health", c.health?.description)
            w.field("critical", c.critical)
            w.field("probes", strings: c.probes)
            w.field("reasons", strings: c.reasons)
            w.endObject()
        }
        w.endObject()
        w.endObject()
    }
}

extension ProbeSnapshot {
    package func write(to w: inout JSONWriter, now: Timestamp) {
        var names = WindowNames()
        write(to: &w, now: now, names: &names)
    }

    func write(to w: inout JSONWriter, now: Timestamp, names: inout WindowNames) {
        w.beginObject()
        w.field("kind", kind)
        w.field("health", health?.description)
        w.field("since", since?.iso8601())
        w.field("pending", pending)
        w.field("critical", critical)
        w.field("ok", ok)
        w.field("latency_ms", latencyMs.map(roundMs))
        if let timings { timings.write(to: &w) }
        w.field("value", value)
        w.field("stale", staleFor != nil)
        if let staleFor { w.field("stale_for_s", staleFor.seconds.rounded()) }
        if let valueSource { w.field("value_source", valueSource) }
        w.field("no_data", noData)
        w.field("last_run", lastRun?.iso8601())
        if overdue { w.field("overdue", true) }  // only when true: the documents of probes on time stay as they were
        w.field("consecutive_failures", consecutiveFailures)
        w.key("error")
        if let error {
            w.beginObject()
            w.field("category", error.category.rawValue)
            w.field("message", error.message)
            w.endObject()
        } else {
            w.null()
        }
        w.field("message", message)
        w.field("reasons", strings: reasons)
        w.field("suppressed_by", suppressedBy)
        w.field("flapping", flapping)
        if let tls { tls.write(to: &w, now: now) }
        if let details {
            w.key("details")
            w.beginArray()
            for row in details {
                w.beginObject()
                for f in row.fields { w.field(f.name, f.value) }
                w.endObject()
            }
            w.endArray()
        }
        w.key("windows")
        w.beginObject()
        for (span, stats) in windows {
            w.key(names.name(of: span))
            stats.write(to: &w)
        }
        w.endObject()
        w.endObject()
    }
}

extension WindowStats {
    package func write(to w: inout JSONWriter) {
        w.beginObject()
        w.field("count", count)
        w.field("availability", availability)
        w.field("error_rate", errorRate)
        w.key("latency_ms")
        w.beginObject()
        w.field("p50", latencyP50.map(roundMs))
        w.field("p95", latencyP95.map(roundMs))
        w.field("p99", latencyP99.map(roundMs))
        w.endObject()
        w.key("value")
        w.beginObject()
        w.field("min", valueMin)
        w.field("max", valueMax)
        w.field("avg", valueAvg)
        w.field("last", valueLast)
        w.endObject()
        w.endObject()
    }
}

extension TLSFacts {
    /// `"tls": {…}`, with `expires_in_s` counted from `now` (negative once expired).
    func write(to w: inout JSONWriter, now: Timestamp) {
        w.key("tls")
        w.beginObject()
        w.field("version", version)
        w.field("cipher", cipher)
        w.field("subject", subject)
        w.field("issuer", issuer)
        w.field("dns_names", strings: dnsNames)
        w.field("not_after", notAfter.iso8601())
        w.field("expires_in_s", Int(expiresIn(at: now).seconds.rounded()))
        w.endObject()
    }
}

extension AttemptTimings {
    /// `"timings_ms": {…}` without the phases the attempt did not reach.
    func write(to w: inout JSONWriter) {
        w.key("timings_ms")
        w.beginObject()
        if let connect { w.field("connect", roundMs(connect)) }
        if let tls { w.field("tls", roundMs(tls)) }
        if let firstByte { w.field("first_byte", roundMs(firstByte)) }
        w.field("total", roundMs(total))
        w.endObject()
    }
}

/// Window names (`5m`, `24h`) spelled once per document rather than once per probe and window.
package struct WindowNames {
    private var names: [(span: TimeSpan, name: String)] = []

    package init() {}

    package mutating func name(of span: TimeSpan) -> String {
        if let known = names.first(where: { $0.span == span }) { return known.name }
        let name = span.description
        names.append((span, name))
        return name
    }
}

/// Latency to the microsecond: more digits would be noise.
private func roundMs(_ ms: Double) -> Double { (ms * 1000).rounded() / 1000 }
