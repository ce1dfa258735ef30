/// The published document: `status.json`, the socket's `snapshot`, and the source of `healthd.prom`.
public struct Snapshot: Sendable {
    public static let version = 1

    public var generatedAt: Timestamp
    /// nil while every critical probe is pending.
    public var health: Health?
    public var reasons: [String]
    /// Probes without a health yet.
    public var pendingCount: Int
    public var probes: [ProbeSnapshot]
    public var components: [ComponentSnapshot]
}

public struct ProbeSnapshot: Sendable {
    public var name: String
    public var kind: String
    public var critical: Bool
    public var health: Health?
    public var since: Timestamp?
    public var lastRun: Timestamp?
    public var ok: Bool?
    public var latencyMs: Double?
    /// Where the last attempt's time went, when its probe measures phases.
    public var timings: AttemptTimings? = nil
    /// The current value, or while failing the last good one (then `staleFor` is set).
    public var value: Double?
    public var staleFor: TimeSpan?
    /// Set when `value` came from the fallback probe.
    public var valueSource: String?
    public var noData: Bool
    public var details: [DetailRow]?
    public var consecutiveFailures: Int
    public var error: ProbeFailure?
    public var message: String?
    public var reasons: [String]
    public var windows: [(span: TimeSpan, stats: WindowStats)]
    /// The parent probe (`depends_on`) that is down, so this probe's alerts are held back.
    public var suppressedBy: String?
    public var flapping: Bool
    /// The last TLS session seen (see `ProbeState.lastTLS`).
    public var tls: TLSFacts? = nil
    /// The parent this probe's alerts wait on while it is not down; nil when `suppressedBy` is set.
    public var awaitedParent: AwaitedParent? = nil
    /// No result for more than two intervals: late, not merely slow (see `Monitor.overdue`).
    public var overdue = false

    /// No result yet, or only failures short of `failure_threshold`: health unknown, counted nowhere.
    public var pending: Bool { health == nil }
}

public struct ComponentSnapshot: Sendable {
    public var name: String
    public var critical: Bool
    public var health: Health?
    public var probes: [String]
    public var reasons: [String]
}
