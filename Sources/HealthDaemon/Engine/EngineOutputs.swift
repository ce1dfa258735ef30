import HealthCore

/// Where the engine's work goes. Closures, so that the daemon wires the publisher, the state
/// store, systemd and the hooks, and unit tests record what the engine decided, and when.
struct EngineOutputs {
    /// A snapshot to publish; `page` is status.html when it was rendered this time.
    var publish: (_ snapshot: Snapshot, _ page: String?, _ changed: Bool) -> Void
    var saveCheckpoint: ([UInt8]) -> Void
    var saveState: (SilenceBook, [SavedAlert]) -> Void
    /// Waits until every publish and save handed over so far is on disk (shutdown).
    var drain: () async -> Void
    /// The system's health when it changes; nil while every critical probe is pending.
    var healthChanged: (Health?) -> Void
    var notify: ([Notification]) -> Void
    /// Runs a probe now, out of turn: a parent that alerts wait on.
    var runProbe: (String) -> Void
    /// The wall clock was set, by this much (negative: back), between two readings.
    var wallClockStepped: (TimeSpan) -> Void
}
