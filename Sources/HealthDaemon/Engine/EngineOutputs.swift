import HealthCore

/// Where the engine's work goes. Closures, so that the daemon wires the publisher, the state
/// store, systemd and the hooks, and unit tests record what the engine decided, and when.
struct EngineOutputs {
    /// A snapshot to publish; `page` is status.html when it was rendered this time.
    var publish: (_ snapshot: Snapshot, _ page: String?, _ changed: Bool) -> Void
    var checkpoint: CheckpointWriting
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

/// Where a checkpoint or journal record goes, written in pieces as the engine encodes them (see `CheckpointStream`):
/// begun with room for its header, appended to, then finished with the header and the trailer, or abandoned (a reload
/// changed the probes half-way); until it is finished, the last checkpoint and its journal's records stay as they were.
struct CheckpointWriting {
    var begin: (_ kind: CheckpointStream.Kind, _ headerSize: Int) -> Void
    var append: (_ piece: [UInt8]) -> Void
    /// Bytes handed over and not yet written: the engine encodes no more while a piece waits, so that a disk
    /// slower than the encoder does not pile the whole checkpoint up in memory.
    var backlog: () -> Int
    var finish: (_ header: [UInt8], _ last: [UInt8], _ trailer: [UInt8]) -> Void
    var abandon: () -> Void
    /// Whether the next must be a whole checkpoint, the journal taking no record (see `StateStore.needsCheckpoint`).
    var needsCheckpoint: () -> Bool
}
