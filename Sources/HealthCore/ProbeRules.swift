/// What the evaluator needs to know about one probe: its identity and its health rules.
package struct ProbeRules: Sendable, Equatable {
    package var name: String
    package var kind: String
    /// A non-critical probe can make the system degraded, never down.
    package var critical: Bool
    /// Consecutive failures before the probe is down.
    package var failureThreshold: Int
    /// Consecutive successes before it leaves down (and before any level is lowered).
    package var successThreshold: Int
    /// How often it runs, and how long an attempt may take: how soon a result is due.
    package var interval = TimeSpan.seconds(10)
    package var timeout = TimeSpan.seconds(2)
    package var degraded: [Condition]
    package var down: [Condition]
    /// While this probe fails, its value comes from that probe (e.g. Prometheus first, the database second).
    package var fallback: String?
    /// While one of these probes is down, this probe's alerts are suppressed (it is likely the cause); while one is
    /// failing but not yet down, or has not run since this probe changed level, they wait (see `AwaitedParent`).
    package var dependsOn: [String] = []
    /// An availability objective judged by burn rates.
    package var slo: SLO?
    /// Flap detection thresholds, in percent of weighted state changes (Nagios's defaults).
    package var flapLow = 5.0, flapHigh = 20.0

    package init(name: String, kind: String, critical: Bool = true, failureThreshold: Int = 3,
                successThreshold: Int = 1, degraded: [Condition] = [], down: [Condition] = [], fallback: String? = nil) {
        self.name = name
        self.kind = kind
        self.critical = critical
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
        self.degraded = degraded
        self.down = down
        self.fallback = fallback
    }
}

extension ProbeRules {
    /// Time enough for a failing probe to prove itself down — its threshold of failures, a whole attempt on top —
    /// and so the longest an alert waits on it as a parent.
    package var timeToDown: TimeSpan { interval * Int64(failureThreshold) + timeout }

    /// The longest window its conditions and its SLO's burn rates read.
    package var longestWindow: TimeSpan {
        let conditions = (degraded + down).compactMap(\.metric.window)
        let slo = (slo?.windows ?? []).flatMap { [$0.long, $0.short] }
        return (conditions + slo).max() ?? .seconds(0)
    }
}

/// A named group of probes; its health is the worst of theirs.
package struct ComponentRules: Sendable, Equatable {
    package var name: String
    /// Probe names or globs (`redis*`).
    package var patterns: [String]
    package var critical: Bool

    package init(name: String, patterns: [String], critical: Bool = true) {
        self.name = name
        self.patterns = patterns
        self.critical = critical
    }
}

/// Shell-style glob with `*` and `?`, enough for probe names.
package func globMatches(_ pattern: String, _ name: String) -> Bool {
    let p = Array(pattern.utf8), s = Array(name.utf8)
    var pi = 0, si = 0, starP = -1, starS = 0
    while si < s.count {
        if pi < p.count, p[pi] == UInt8(ascii: "?") || p[pi] == s[si] {
            pi += 1; si += 1
        } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
            starP = pi; starS = si; pi += 1
        } else if starP >= 0 {
            pi = starP + 1; starS += 1; si = starS
        } else {
            return false
        }
    }
    while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
    return pi == p.count
}
