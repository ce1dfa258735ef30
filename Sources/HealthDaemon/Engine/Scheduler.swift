import HealthConfig
import HealthCore
import HealthSys

/// Runs every probe on its interval, on absolute time (due = phase + k·interval, so no drift),
/// each first run offset by a hash of its name so thousands of probes do not fire together.
/// An attempt that outlives its timeout is aborted and recorded as a `timeout` failure. Paced by
/// the monotonic clock, so a step of the wall clock changes only the time samples are dated with.
/// Loop-confined: every method runs on `context.loop`.
package final class Scheduler {
    private final class Job {
        let config: ProbeConfig
        let epoch: Int
        var due: Int64
        var timer: TimerID?
        var attempt: ProbeAttempt?
        var timeoutTimer: TimerID?

        init(config: ProbeConfig, epoch: Int, due: Int64) {
            self.config = config
            self.epoch = epoch
            self.due = due
        }
    }

    private let context: ProbeContext
    /// The event loop in the daemon; timers and clock are driven by hand in tests.
    private let timers: any TimerSource
    private let clock: any TimeSource
    private let makeAttempt: (ProbeConfig, ProbeContext) -> ProbeAttempt
    private let deliver: (ProbeResult) -> Void
    private var jobs: [String: Job] = [:]
    /// Observes how late each run started, in nanoseconds (for the benchmark).
    var onLag: ((Int64) -> Void)?

    init(context: ProbeContext, timers: any TimerSource, clock: any TimeSource = SystemClock(),
         makeAttempt: @escaping (ProbeConfig, ProbeContext) -> ProbeAttempt, deliver: @escaping (ProbeResult) -> Void) {
        self.context = context
        self.timers = timers
        self.clock = clock
        self.makeAttempt = makeAttempt
        self.deliver = deliver
    }

    /// Makes `probes` the running set: unchanged probes keep their phase and any attempt in flight,
    /// changed and new ones start fresh under `epoch`, removed ones stop.
    func apply(_ probes: [ProbeConfig], epoch: Int) {
        context.loop.assertInLoop("Scheduler")
        let now = clock.monotonicNanos()
        var next: [String: Job] = [:]
        for p in probes {
            if let job = jobs[p.name], job.config == p {
                next[p.name] = job
                jobs[p.name] = nil
            } else {
                let job = Job(config: p, epoch: epoch, due: now + phaseOffset(p))
                next[p.name] = job
                arm(job)
            }
        }
        for job in jobs.values { stop(job) }
        jobs = next
    }

    func stopAll() {
        context.loop.assertInLoop("Scheduler")
        for job in jobs.values { stop(job) }
        jobs = [:]
    }

    /// Runs a probe now, out of turn (its schedule is unchanged). False if unknown.
    func runNow(_ name: String) -> Bool {
        context.loop.assertInLoop("Scheduler")
        guard let job = jobs[name] else { return false }
        if job.attempt == nil { run(job) }
        return true
    }

    /// Epochs of the running definitions, for the engine to accept results by.
    var epochs: [String: Int] { jobs.mapValues(\.epoch) }

    private func phaseOffset(_ p: ProbeConfig) -> Int64 { Self.phase(of: p.name, interval: p.interval) }

    /// How far into its interval a probe's runs fall, counted from when the scheduler took it up (for the benchmark,
    /// which times runs from outside).
    package static func phase(of name: String, interval: TimeSpan) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: stable across runs, unlike Hasher
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return Int64(h % UInt64(interval.nanoseconds))
    }

    private func arm(_ job: Job) {
        job.timer = timers.schedule(at: job.due) { [unowned self, unowned job] in self.fire(job) }
    }

    private func fire(_ job: Job) {
        let now = clock.monotonicNanos()
        onLag?(now - job.due)
        let interval = job.config.interval.nanoseconds
        // After a stall, skip the missed slots rather than running them back to back.
        let missed = max(0, (now - job.due) / interval)
        job.due += (missed + 1) * interval
        arm(job)
        if job.attempt == nil { run(job) }
    }

    private func run(_ job: Job) {
        let attempt = makeAttempt(job.config, context)
        let started = clock.monotonicNanos()
        job.attempt = attempt
        job.timeoutTimer = timers.schedule(at: started + job.config.timeout.nanoseconds) { [unowned self, unowned job] in
            guard let a = job.attempt else { return }
            job.attempt = nil
            job.timeoutTimer = nil
            a.abort()
            self.complete(job, .failure(ProbeFailure(.timeout, "no answer within \(job.config.timeout)")), started: started,
                          facts: a.connectionFacts)
        }
        attempt.start { [weak self, weak job, weak attempt] outcome in
            guard let self, let job, let attempt, job.attempt === attempt else { return }
            job.attempt = nil
            if let t = job.timeoutTimer { self.timers.cancel(t) }
            job.timeoutTimer = nil
            self.complete(job, outcome, started: started, facts: attempt.connectionFacts)
        }
    }

    private func complete(_ job: Job, _ outcome: ProbeOutcome, started: Int64, facts: ConnectionFacts) {
        let latencyMs = Double(clock.monotonicNanos() - started) / 1e6
        let time = Timestamp(nanoseconds: clock.wallNanos())
        var sample: Sample
        switch outcome {
        case .success(let r):
            sample = Sample(time: time, latencyMs: latencyMs, value: r.value, reportedHealth: r.reported,
                            message: r.message.map { PeerText.capped($0) }, noData: r.noData, details: r.details)
        case .failure(var failure):
            // Whatever a protocol let through, no peer's words go on at more than about 1 KiB.
            failure.message = PeerText.capped(failure.message)
            sample = Sample(time: time, latencyMs: latencyMs, failure: failure)
        }
        sample.tls = facts.tls
        if var timings = facts.timings {
            timings.total = latencyMs
            sample.timings = timings
        }
        deliver(ProbeResult(name: job.config.name, epoch: job.epoch, sample: sample))
    }

    private func stop(_ job: Job) {
        if let t = job.timer { timers.cancel(t) }
        if let t = job.timeoutTimer { timers.cancel(t) }
        job.attempt?.abort()
        job.attempt = nil
    }
}
