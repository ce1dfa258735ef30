import HealthConfig
import HealthCore
import HealthSys

/// `exec` hooks: one run per alert (the alert as JSON on stdin and as `HEALTHD_*` variables),
/// at most `concurrency` at once, each killed with its process group at `timeout`. A hung or
/// flooding program costs only its own slot: output beyond 64 KiB is read and dropped.
final class ExecHookRunner: AlertHook {
    let config: HookConfig
    private let hook: ExecHook
    private let context: HookContext
    private var waiting: [Alert] = []
    private var running: [Int: ChildProcess] = [:]
    private var nextRun = 0
    /// Alerts waiting beyond this are dropped oldest first (and audited): a stuck program must not grow memory.
    private let maxWaiting = 1000

    init(config: HookConfig, hook: ExecHook, context: HookContext) {
        self.config = config
        self.hook = hook
        self.context = context
    }

    func deliver(_ alerts: [Alert]) {
        context.loop.assertInLoop("ExecHookRunner")
        waiting += alerts
        while waiting.count > maxWaiting {
            let dropped = waiting.removeFirst()
            context.recordAttempt(hook: config, alerts: [dropped], outcome: "dropped", started: monotonicNanos(),
                                  error: "more than \(maxWaiting) alerts waiting for this hook")
        }
        pump()
    }

    func stop() {
        waiting = []
        for p in running.values { p.killGroup() }
    }

    private func pump() {
        while running.count < hook.concurrency, !waiting.isEmpty { start(waiting.removeFirst()) }
    }

    private func start(_ alert: Alert) {
        let started = monotonicNanos()
        let loop = context.loop
        let run = nextRun
        nextRun += 1
        var timedOut = false
        var timer: EventLoop.TimerID?
        let process: ChildProcess
        do {
            process = try ChildProcess(argv: hook.argv, input: Array((alert.json(instance: context.instance) + "\n").utf8),
                                       environment: alert.environment(instance: context.instance), loop: loop) { [weak self] exit in
                if let timer { loop.cancel(timer) }
                self?.finished(run, alert, exit: exit, timedOut: timedOut, started: started)
            }
        } catch {
            context.recordAttempt(hook: config, alerts: [alert], outcome: "failed", started: started,
                                  error: "cannot run \(hook.argv[0]): \(error)")
            return
        }
        running[run] = process
        timer = loop.schedule(at: started + hook.timeout.nanoseconds) {
            timedOut = true
            process.killGroup()
        }
    }

    private func finished(_ run: Int, _ alert: Alert, exit: ChildProcess.Exit, timedOut: Bool, started: Int64) {
        running[run] = nil
        let outcome = timedOut ? "timeout" : exit.code == 0 ? "ok" : "failed"
        let error: String? = timedOut ? "killed after \(hook.timeout)"
            : exit.code.map { $0 == 0 ? nil : "exit \($0)" } ?? "killed by signal \(exit.signal ?? 0)"
        // Scrubbed whole before it is cut, so a secret at the cut cannot leave half of itself.
        let scrub = context.logger.redactor.scrub
        let (stdout, stderr) = (Self.excerpt(scrub(String(decoding: exit.stdout, as: UTF8.self))),
                                Self.excerpt(scrub(String(decoding: exit.stderr, as: UTF8.self))))
        let output = [stdout, stderr].compactMap { $0 }.joined(separator: " / ")
        context.recordAttempt(hook: config, alerts: [alert], outcome: outcome, started: started, error: error,
                              output: output.isEmpty ? nil : output) { w in
            w.field("stdout", stdout)
            w.field("stderr", stderr)
            if exit.dropped > 0 { w.field("output_dropped_bytes", exit.dropped) }
        }
        pump()
    }

    /// Output kept in the audit record: the first 1,024 characters.
    static func excerpt(_ text: String) -> String? {
        guard !text.isEmpty else { return nil }
        return text.count > 1024 ? text.prefix(1024) + "…" : text
    }
}
