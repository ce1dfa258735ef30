import HealthConfig
import HealthCore
import HealthSys

/// `alertmanager` hooks: each round's alerts posted to every URL (an HA pair deduplicates), and
/// every firing alert re-sent each `resend` so Alertmanager does not time it out; a resolved one
/// is posted once with `endsAt` and forgotten.
final class AlertmanagerRunner: AlertHook {
    let config: HookConfig
    private let hook: AlertmanagerHook
    private let context: HookContext
    private let payload: AlertmanagerPayload
    private var resends: AlertmanagerResends
    private var resendTimer: EventLoop.TimerID?

    init(config: HookConfig, hook: AlertmanagerHook, context: HookContext) {
        self.config = config
        self.hook = hook
        self.context = context
        self.payload = AlertmanagerPayload(instance: context.instance, labels: hook.labels)
        resends = AlertmanagerResends(every: hook.resend, now: monotonicNanos())
        armResend()
    }

    func deliver(_ alerts: [Alert]) {
        context.loop.assertInLoop("AlertmanagerRunner")
        resends.record(alerts)
        post(alerts)
    }

    /// Carries the firing set over from the runner this one replaces (a reload).
    func adopt(_ other: AlertmanagerRunner) { resends.adopt(other.resends) }

    func stop() {
        if let resendTimer { context.loop.cancel(resendTimer) }
        resendTimer = nil
    }

    private func armResend() {
        resendTimer = context.loop.schedule(at: resends.due) { [weak self] in
            guard let self else { return }
            let again = resends.take(now: monotonicNanos())
            if !again.isEmpty { post(again) }
            armResend()
        }
    }

    private func post(_ alerts: [Alert]) {
        let body = Array(payload.json(alerts, now: Timestamp(nanoseconds: wallNanos())).utf8)
        for ep in hook.endpoints {
            var target = ep
            target.target = (ep.target.hasSuffix("/") ? String(ep.target.dropLast()) : ep.target) + "/api/v2/alerts"
            let started = monotonicNanos()
            HTTPPost.send(body, to: target, tls: hook.tls, headers: [], timeout: hook.timeout, context: context.probes) { [context, config] result in
                let error = HTTPPost.error(of: result)
                context.recordAttempt(hook: config, alerts: alerts, outcome: error == nil ? "ok" : "failed", started: started,
                                      error: error) { w in
                    w.field("url", target.redacted)
                    if case .success(let status) = result { w.field("status", status) }
                }
            }
        }
    }
}
