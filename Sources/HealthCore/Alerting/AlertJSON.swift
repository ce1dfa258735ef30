extension Alert {
    /// The alert as exec hooks (stdin) and webhooks (in `alerts`) receive it.
    package func write(to w: inout JSONWriter, instance: String) {
        w.beginObject()
        w.field("name", subject.name)
        w.field("kind", subject.kind.rawValue)
        w.field("event", event.rawValue)
        w.field("status", firing ? "firing" : "resolved")
        w.field("level", level.description)
        w.field("previous_level", previousLevel?.description)
        w.field("severity", severity)
        w.field("reasons", strings: reasons)
        w.field("value", value)
        w.field("since", since?.iso8601())
        w.field("starts_at", startsAt.iso8601())
        w.field("ends_at", endsAt?.iso8601())
        w.field("instance", instance)
        w.endObject()
    }

    package func json(instance: String) -> String {
        var w = JSONWriter()
        write(to: &w, instance: instance)
        return w.output
    }

    /// `HEALTHD_*` variables for exec hooks: the same facts as the JSON, for shell scripts.
    package func environment(instance: String) -> [String] {
        [
            "HEALTHD_NAME=\(subject.name)", "HEALTHD_KIND=\(subject.kind.rawValue)", "HEALTHD_EVENT=\(event.rawValue)",
            "HEALTHD_STATUS=\(firing ? "firing" : "resolved")", "HEALTHD_LEVEL=\(level)",
            "HEALTHD_PREVIOUS_LEVEL=\(previousLevel?.description ?? "")", "HEALTHD_SEVERITY=\(severity)",
            "HEALTHD_REASONS=\(reasons.joined(separator: "; "))", "HEALTHD_VALUE=\(value.map(formatNumber) ?? "")",
            "HEALTHD_SINCE=\(since?.iso8601() ?? "")", "HEALTHD_STARTS_AT=\(startsAt.iso8601())",
            "HEALTHD_INSTANCE=\(instance)",
        ]
    }
}

/// Alertmanager's v2 API body (`POST /api/v2/alerts`): a list of alerts identified by their labels.
package struct AlertmanagerPayload {
    package var instance: String
    package var labels: [(String, String)]

    package init(instance: String, labels: [(String, String)]) {
        self.instance = instance
        self.labels = labels
    }

    /// Alertmanager tells alerts apart by their labels, severity among them: when the level
    /// changes, the alert of the old severity is ended in the same post.
    package func json(_ alerts: [Alert], now: Timestamp) -> String {
        var w = JSONWriter()
        w.beginArray()
        for a in alerts {
            if a.event == .changed, let old = a.previousLevel, old.severity != a.level.severity {
                write(a, severity: old.severity, endsAt: now, to: &w)
            }
            write(a, severity: a.severity, endsAt: a.endsAt, to: &w)
        }
        w.endArray()
        return w.output
    }

    private func write(_ a: Alert, severity: String, endsAt: Timestamp?, to w: inout JSONWriter) {
        w.beginObject()
        w.key("labels")
        w.beginObject()
        w.field("alertname", "Healthd" + a.subject.kind.rawValue.prefix(1).uppercased() + a.subject.kind.rawValue.dropFirst())
        if a.subject.kind != .system { w.field(a.subject.kind.rawValue, a.subject.name) }
        w.field("severity", severity)
        w.field("instance", instance)
        for (k, v) in labels { w.field(k, v) }
        w.endObject()
        w.key("annotations")
        w.beginObject()
        w.field("summary", a.firing ? "\(a.subject) is \(a.level)" : "\(a.subject) is healthy again")
        var description = a.reasons.joined(separator: "; ")
        if let v = a.value { description += (description.isEmpty ? "" : "; ") + "value \(formatNumber(v))" }
        w.field("description", description)
        w.endObject()
        w.field("startsAt", a.startsAt.iso8601(fractional: true))
        if let endsAt { w.field("endsAt", endsAt.iso8601(fractional: true)) }
        w.endObject()
    }
}
