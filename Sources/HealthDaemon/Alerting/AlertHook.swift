import HealthConfig
import HealthCore
import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// A running hook: receives the alerts of one evaluation round meant for it. Loop-confined.
protocol AlertHook: AnyObject {
    var config: HookConfig { get }
    func deliver(_ alerts: [Alert])
    func stop()
}

/// What hooks share: the loop and its resolver, the audit log, the log, this host's name.
struct HookContext {
    let probes: ProbeContext
    let audit: AuditLog
    let logger: Logger
    let instance: String

    var loop: EventLoop { probes.loop }

    /// One audit entry per notification attempt, and a log line for failures.
    /// `output`: what an exec hook printed, shown (cut short) in the log line too.
    func recordAttempt(hook: HookConfig, alerts: [Alert], attempt: Int = 1, outcome: String, started: Int64,
                       error: String? = nil, output: String? = nil, extra: (inout JSONWriter) -> Void = { _ in }) {
        let latency = Double(monotonicNanos() - started) / 1e6
        audit.record("notification") { w in
            w.field("hook", hook.name)
            w.field("alerts", strings: alerts.map { "\($0.subject) \($0.event.rawValue) \($0.firing ? $0.level.description : "healthy")" })
            w.field("attempt", attempt)
            w.field("outcome", outcome)
            w.field("latency_ms", (latency * 10).rounded() / 10)
            w.field("error", error)
            extra(&w)
        }
        let what = alerts.map(\.summary).joined(separator: " | ")
        let printed = output.map { " — output: " + ($0.count > 200 ? $0.prefix(200) + "…" : $0) } ?? ""
        if outcome == "ok" {
            logger.info("hook \(hook.name): delivered \(what)\(printed)")
        } else {
            logger.warning("hook \(hook.name): \(outcome) (attempt \(attempt))\(error.map { ": \($0)" } ?? "") for \(what)\(printed)")
        }
    }
}

/// The hostname, the `instance` of every alert.
func hostName() -> String {
    var buf = [CChar](repeating: 0, count: 256)
    guard gethostname(&buf, buf.count) == 0 else { return "localhost" }
    return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
