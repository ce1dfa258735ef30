/// The evaluated state of one probe, advanced by each sample.
package struct ProbeState: Sendable, Equatable {
    /// nil while pending: no result yet, or only failures, fewer than `failureThreshold` (unproven means unknown).
    /// Once set it never returns to nil, and a checkpoint keeps it, so a probe that had succeeded is not pending
    /// after a restart.
    package internal(set) var health: Health?
    package internal(set) var since: Timestamp?
    package internal(set) var reasons: [String] = []
    package internal(set) var consecutiveFailures = 0
    package internal(set) var consecutiveSuccesses = 0
    package internal(set) var lastSample: Sample?
    /// The last value a successful sample carried, kept while the probe fails (shown as stale).
    package internal(set) var lastGoodValue: Double?
    package internal(set) var lastGoodValueTime: Timestamp?
    /// The rows the last successful sample that had any attached.
    package internal(set) var lastDetails: [DetailRow]?
    /// The TLS facts of the last sample that had any, kept while later attempts fail before the handshake: the
    /// certificate is still the one the service presents, so the snapshot shows it and `cert.expires_in` keeps
    /// counting down on it (the probe is failing anyway; a renewed certificate replaces it at the next handshake).
    package internal(set) var lastTLS: TLSFacts?
    /// The evaluated level of the last results, for flap detection.
    package internal(set) var flaps = FlapDetector()
    /// Latched by `failureThreshold` failures, released by `successThreshold` successes.
    var failedDown = false
    /// Consecutive evaluations that computed a better level than the current one.
    var betterStreak = 0

    package init() {}

    /// Folds one sample in; `windows` must already contain it. Returns true when health or reasons changed.
    @discardableResult
    package mutating func apply(_ sample: Sample, rules: ProbeRules, windows: ProbeWindows,
                               fallbackValue: Double? = nil) -> Bool {
        let failureChanged = lastSample == nil || lastSample?.failure?.category != sample.failure?.category
        lastSample = sample
        if let tls = sample.tls { lastTLS = tls }
        let wasLatched = failedDown
        if sample.ok {
            consecutiveSuccesses += 1
            consecutiveFailures = 0
            if let v = sample.value { (lastGoodValue, lastGoodValueTime) = (v, sample.time) }
            if let d = sample.details { lastDetails = d }
            if failedDown, consecutiveSuccesses >= rules.successThreshold { failedDown = false }
        } else {
            consecutiveFailures += 1
            consecutiveSuccesses = 0
            if consecutiveFailures >= rules.failureThreshold { failedDown = true }
        }

        if health == nil, let f = sample.failure, !failedDown, fallbackValue == nil {
            // Never proven: saying healthy would be a guess, saying down too early an alarm. Pending until either.
            // A fallback that answers is a measurement of the same thing: the probe is judged on it.
            let why = ["no success yet: \(consecutiveFailures) of \(rules.failureThreshold) failures before down "
                + "(\(f.category.rawValue): \(f.message))"]
            let changed = failureChanged || reasons != why
            reasons = why
            return changed
        }
        let (level, why) = judge(sample, rules: rules, windows: windows, fallbackValue: fallbackValue)
        // Lowering the level waits for successThreshold evaluations in a row, so a value hovering
        // at a threshold does not flap; releasing the failure latch already waited for as many successes.
        let released = wasLatched && !failedDown
        if let current = health, level < current, !released {
            betterStreak += 1
            if betterStreak < rules.successThreshold { return failureChanged }
        }
        betterStreak = 0
        let flapChanged = flaps.record(level, low: rules.flapLow, high: rules.flapHigh)
        let changed = failureChanged || flapChanged || health != level || reasons != why
        if health != level { since = sample.time }
        health = level
        reasons = why
        return changed
    }

    private func judge(_ sample: Sample, rules: ProbeRules, windows: ProbeWindows, fallbackValue: Double?) -> (Health, [String]) {
        if failedDown {
            guard let f = sample.failure else {
                return (.down, ["recovering: \(consecutiveSuccesses) of \(rules.successThreshold) successes"])
            }
            // The threshold, not the running count: the reason (and so the published state) stays put while it fails.
            return (.down, ["down after \(rules.failureThreshold) consecutive failures (\(f.category.rawValue): \(f.message))"])
        }
        let metrics = MetricReader(now: sample.time, fallbackValue: fallbackValue)
        let burning = rules.slo?.judge(windows, now: sample.time)
        var downWhy = rules.down.compactMap { metrics.violation($0, state: self, windows: windows) }
        if let (level, why) = burning, level == .down { downWhy.append(why) }
        if !downWhy.isEmpty { return (.down, downWhy) }
        var level = Health.healthy
        var why = rules.degraded.compactMap { metrics.violation($0, state: self, windows: windows) }
        if let (_, burnWhy) = burning { why.append(burnWhy) }
        if !why.isEmpty { level = .degraded }
        if sample.ok, sample.reportedHealth > .healthy {
            level = max(level, sample.reportedHealth)
            let said = sample.message.map { $0.isEmpty ? "" : ": \($0)" } ?? ""
            why.insert("check reports \(sample.reportedHealth)\(said)", at: 0)
        }
        return (level, why)
    }
}
