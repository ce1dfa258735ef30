import HealthConfig
import HealthCore
import HealthSys

/// `webhook` hooks: one POST per evaluation round carrying all its alerts
/// (`{"version":1,"instance":…,"alerts":[…]}`), delivered in order, one at a time. A failed
/// attempt (no answer, or not 2xx) is retried after `backoff`·2ⁿ with ±50% jitter, up to
/// `retries` times; then it is given up. Every attempt is audited.
final class WebhookRunner: AlertHook {
    private struct Delivery {
        var alerts: [Alert]
        var body: [UInt8]
        var attempt = 1
    }

    let config: HookConfig
    private let hook: WebhookHook
    private let context: HookContext
    private var queue: [Delivery] = []
    private var busy = false
    private var retryTimer: EventLoop.TimerID?
    private var stopped = false

    init(config: HookConfig, hook: WebhookHook, context: HookContext) {
        self.config = config
        self.hook = hook
        self.context = context
    }

    func deliver(_ alerts: [Alert]) {
        context.loop.assertInLoop("WebhookRunner")
        var w = JSONWriter()
        w.beginObject()
        w.field("version", 1)
        w.field("instance", context.instance)
        w.key("alerts")
        w.beginArray()
        for a in alerts { a.write(to: &w, instance: context.instance) }
        w.endArray()
        w.endObject()
        queue.append(Delivery(alerts: alerts, body: Array(w.output.utf8)))
        if queue.count > hook.queue {
            let dropped = queue.remove(at: busy ? 1 : 0)
            context.recordAttempt(hook: config, alerts: dropped.alerts, outcome: "dropped", started: monotonicNanos(),
                                  error: "more than \(hook.queue) deliveries queued")
        }
        next()
    }

    func stop() {
        stopped = true
        queue = []
        if let retryTimer { context.loop.cancel(retryTimer) }
    }

    private func next() {
        guard !busy, !stopped, let d = queue.first else { return }
        busy = true
        let started = monotonicNanos()
        let headers = (hook.headers + hook.secretHeaders).map { ($0.name, $0.value) }
        HTTPPost.send(d.body, to: hook.endpoint, tls: hook.tls, headers: headers, timeout: hook.timeout, context: context.probes) { [weak self] result in
            self?.answered(result, started: started)
        }
    }

    private func answered(_ result: Result<Int, ProbeFailure>, started: Int64) {
        guard !stopped, var d = queue.first else { return }
        let error = HTTPPost.error(of: result)
        let last = d.attempt > hook.retries
        let outcome = error == nil ? "ok" : last ? "gave_up" : "failed"
        context.recordAttempt(hook: config, alerts: d.alerts, attempt: d.attempt, outcome: outcome, started: started, error: error) { w in
            w.field("url", hook.endpoint.redacted)
            if case .success(let status) = result { w.field("status", status) }
        }
        if error == nil || last {
            queue.removeFirst()
            busy = false
            return next()
        }
        // At most an hour between attempts, however the backoff is configured.
        let base = min(Double(hook.backoff.nanoseconds) * Double(1 << (d.attempt - 1)), 3.6e12)
        let delay = Int64(base * Double.random(in: 0.5...1.5))
        d.attempt += 1
        queue[0] = d
        retryTimer = context.loop.schedule(at: monotonicNanos() + delay) { [weak self] in
            self?.busy = false
            self?.next()
        }
    }
}
