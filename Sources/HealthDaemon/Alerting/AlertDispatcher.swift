import HealthConfig
import HealthCore

/// Hands each round's notifications to their hooks, grouped: one delivery per hook per round
/// (exec hooks then run once per alert). Keeps the hooks across reloads when their config is
/// unchanged, so queues and Alertmanager's firing set survive. Loop-confined.
final class AlertDispatcher {
    private let context: HookContext
    private var hooks: [String: AlertHook] = [:]

    init(context: HookContext) { self.context = context }

    func apply(_ configs: [HookConfig]) {
        context.probes.loop.assertInLoop("AlertDispatcher")
        var next: [String: AlertHook] = [:]
        for c in configs {
            if let h = hooks[c.name], h.config == c {
                next[c.name] = h
                hooks[c.name] = nil
                continue
            }
            let runner = makeRunner(c)
            if let am = runner as? AlertmanagerRunner, let old = hooks[c.name] as? AlertmanagerRunner { am.adopt(old) }
            next[c.name] = runner
        }
        for h in hooks.values { h.stop() }
        hooks = next
    }

    func dispatch(_ notifications: [Notification]) {
        context.probes.loop.assertInLoop("AlertDispatcher")
        var grouped: [(String, [Alert])] = []
        for n in notifications {
            for name in n.hooks where !n.quiet || hooks[name] is AlertmanagerRunner {
                if let i = grouped.firstIndex(where: { $0.0 == name }) { grouped[i].1.append(n.alert) } else { grouped.append((name, [n.alert])) }
            }
        }
        for (name, alerts) in grouped { hooks[name]?.deliver(alerts) }
    }

    func stopAll() {
        context.probes.loop.assertInLoop("AlertDispatcher")
        for h in hooks.values { h.stop() }
        hooks = [:]
    }

    private func makeRunner(_ c: HookConfig) -> AlertHook {
        switch c.kind {
        case .exec(let e): ExecHookRunner(config: c, hook: e, context: context)
        case .webhook(let w): WebhookRunner(config: c, hook: w, context: context)
        case .alertmanager(let a): AlertmanagerRunner(config: c, hook: a, context: context)
        }
    }
}
