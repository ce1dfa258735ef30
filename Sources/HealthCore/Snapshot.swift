/// The published document: `status.json`, the socket's `snapshot`, and the source of `healthd.prom`.
package struct Snapshot: Sendable {
    package static let version = 1

    package var generatedAt: Timestamp
    /// nil while every critical probe is pending.
    package var health: Health?
    package var reasons: [String]
    /// Probes without a health yet.
    package var pendingCount: Int
    package var probes: [ProbeSnapshot]
    package var components: [ComponentSnapshot]
}

package struct ProbeSnapshot: Sendable {
    package var name: String
    package var kind: String
    package var critical: Bool
    package var health: Health?
    package var since: Timestamp?
    package var lastRun: Timestamp?
    package var ok: Bool?
    package var latencyMs: Double?
    /// Where the last attempt's time went, when its probe measures phases.
    package var timings: AttemptTimings? = nil
    /// The current value, or while failing the last good one (then `staleFor` is set).
    package var value: Double?
    package var staleFor: TimeSpan?
    /// Set when `value` came from the fallback probe.
    package var valueSource: String?
    package var noData: Bool
    package var details: [DetailRow]?
    package var consecutiveFailures: Int
    package var error: ProbeFailure?
    package var message: String?
    package var reasons: [String]
    package var windows: [(span: TimeSpan, stats: WindowStats)]
    /// The parent probe (`depends_on`) that is down, so this probe's alerts are held back.
    package var suppressedBy: String?
    package var flapping: Bool
    /// The last TLS session seen (see `ProbeState.lastTLS`).
    package var tls: TLSFacts? = nil
    /// The parent this probe's alerts wait on while it is not down; nil when `suppressedBy` is set.
    package var awaitedParent: AwaitedParent? = nil
    /// No result for more than two intervals: late, not merely slow (see `Monitor.overdue`).
    package var overdue = false

    /// No result yet, or only failures short of `failure_threshold`: health unknown, counted nowhere.
    package var pending: Bool { health == nil }
}

package struct ComponentSnapshot: Sendable {
    package var name: String
    package var critical: Bool
    package var health: Health?
    package var probes: [String]
    package var reasons: [String]
}
