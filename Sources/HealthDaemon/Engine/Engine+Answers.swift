import HealthAPI
import HealthCore

/// What the API server asks of the engine: the questions only the evaluation state can answer,
/// and the operator ops that change it.
enum EngineQuestion: Sendable, Equatable {
    case probe(String)
    case history(HistoryRequest)
    case alerts
    case silences
    case silence(SilenceRequest)
    case unsilence(id: String)
}

extension Engine {
    /// Answers a question or carries out an operator's op: one JSON line, and how it went.
    func answer(_ question: EngineQuestion, peer: APIPeer) -> APIAnswer {
        let now = now().wall
        switch question {
        case .probe(let name):
            return monitor.probeJSON(name, now: now).map(APIAnswer.ok) ?? .error("no probe named \"\(name)\"")
        case .history(let h):
            return monitor.historyJSON(h, now: now).map(APIAnswer.ok) ?? .error("no probe named \"\(h.probe)\"")
        case .alerts:
            return .ok(alerts.firingJSON(monitor.snapshot(now: now, cache: &statsCache), silences: silences.all, now: now))
        case .silences:
            return .ok(silences.json(now: now))
        case .silence(let r):
            let window: (start: Timestamp, end: Timestamp)
            do {
                window = try r.window(now: now)
            } catch {
                return .error(error.message)
            }
            let s = silences.add(matchers: r.matchers, start: window.start, end: window.end, reason: r.reason, by: peer.user)
            saveState()
            return .ok("silence") { s.write(to: &$0, now: now) }
        case .unsilence(let id):
            guard let s = silences.remove(id: id) else {
                let hint = id.hasPrefix("config-") ? "; silences from the config are changed in the config" : ""
                return .error("no run-time silence \"\(id)\"\(hint)")
            }
            // Alerts the silence held back are told now, not at the next change.
            evaluateAlerts(monitor.snapshot(now: now, cache: &statsCache))
            saveState()
            return .ok("silence") { s.write(to: &$0, now: now) }
        }
    }
}
