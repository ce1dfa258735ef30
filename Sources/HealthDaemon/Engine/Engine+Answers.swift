import HealthCore
import HealthSys

extension Engine {
    /// Answers a question or carries out an operator's op; one JSON line either way.
    func answer(_ request: APIRequest, peer: APIPeer) -> [UInt8] {
        let now = Timestamp(nanoseconds: wallNanos())
        switch request {
        case .probe(let name):
            return line(monitor.probeJSON(name, now: now)) ?? errorLine("no probe named \"\(name)\"")
        case .history(let h):
            return line(monitor.historyJSON(h, now: now)) ?? errorLine("no probe named \"\(h.probe)\"")
        case .snapshot, .subscribe:
            return line(monitor.snapshot(now: now).json())!
        case .alerts:
            return line(alerts.firingJSON(monitor.snapshot(now: now), silences: silences.all, now: now))!
        case .silences:
            return line(silences.json(now: now))!
        case .silence(let r):
            let window: (start: Timestamp, end: Timestamp)
            do {
                window = try r.window(now: now)
            } catch {
                return errorLine(error.message)
            }
            let s = silences.add(matchers: r.matchers, start: window.start, end: window.end, reason: r.reason, by: peer.user)
            saveState()
            return okLine("silence") { s.write(to: &$0, now: now) }
        case .unsilence(let id):
            guard let s = silences.remove(id: id) else {
                let hint = id.hasPrefix("config-") ? "; silences from the config are changed in the config" : ""
                return errorLine("no run-time silence \"\(id)\"\(hint)")
            }
            // Alerts the silence held back are told now, not at the next change.
            evaluateAlerts(monitor.snapshot(now: now))
            saveState()
            return okLine("silence") { s.write(to: &$0, now: now) }
        case .audit, .run, .reload:
            return errorLine("internal: \(request.op) is not the engine's")
        }
    }

    private func line(_ json: String?) -> [UInt8]? { json.map { Array(($0 + "\n").utf8) } }

    private func okLine(_ key: String, _ body: (inout JSONWriter) -> Void) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("ok", true)
        w.key(key)
        body(&w)
        w.endObject()
        return Array((w.output + "\n").utf8)
    }
}
