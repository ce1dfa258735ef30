import HealthAPI
import HealthConfig
import HealthCore
import HealthRender
import HealthSys

/// What the engine evaluates by: the monitor's spec and the alerting rules, from one config.
struct EngineSetup: Sendable {
    var spec: MonitorSpec
    /// The scheduler's definitions, to accept results by.
    var epochs: [String: Int]
    var interval: TimeSpan
    var alertRules: [AlertRule]
    var silences: [Silence]
    var checkpointInterval: TimeSpan
}

/// Messages to the engine task, which alone owns the monitor and the alert state.
enum EngineEvent: Sendable {
    case results([ProbeResult])
    /// A timer: publish if something changed or the interval is up; move alerts' clocks.
    case tick
    /// A new config took effect; `kept` are the probes whose history carries over.
    case reload(EngineSetup, kept: Set<String>)
    /// Publish now and say when the files are written (shutdown).
    case flush(CheckedContinuation<Void, Never>)
    /// A question or an admin op from the API; the answer is one JSON line and its outcome.
    case query(EngineQuestion, peer: APIPeer, reply: @Sendable (APIAnswer) -> Void)
}

/// Samples in, evaluation, snapshots and notifications out. Changes are published within
/// `debounce` (a burst of changes becomes one write), and a snapshot is written at least every
/// `interval` regardless. A probe becoming overdue is a change too, though no sample marks it: the
/// engine looks again when the next one would. Alerts are evaluated with each published snapshot, and every second
/// while any alert is pending, firing or owed (for `for`, `repeat` and silences that end).
final class Engine {
    var monitor: Monitor
    private var epochs: [String: Int]
    private var interval: Int64
    private let debounce: Int64 = 100_000_000
    private let outputs: EngineOutputs
    /// Paces publishing, alert rounds and checkpoints (monotonic); dates snapshots and alerts (wall).
    private let clock: any TimeSource
    private var wallSteps = WallClockSteps()
    private var changed = true
    private var lastPublish: Int64 = 0
    private var lastHealth: Health?
    /// Wall time at which a probe on time at the last publish becomes overdue if no result comes.
    private var nextOverdue: Timestamp?
    var alerts: AlertTracker
    var silences: SilenceBook
    private var lastAlertRound: Int64 = 0
    private var checkpointInterval: Int64
    private var lastCheckpoint: Int64
    /// The checkpoint being written, one piece a tick, and the next probe to encode: a whole one at 10,000 probes
    /// is hundreds of MB, which one buffer would add to the daemon's memory every interval.
    private var writing: (stream: CheckpointStream, next: Int)?
    private let checkpointPieceBytes: Int
    /// Whether the next save must be a whole checkpoint, whatever the journal could take: until the first one, unless
    /// the restored checkpoint's journal goes on, and after a reload that did not keep every probe's history.
    private var checkpointDue: Bool
    /// status.html is for people whose browsers reload it every 30 s: rendered at most every
    /// `pageInterval` (and when the system's health changes), not on every change.
    private var pageCache = StatusPageCache()
    /// Window stats of the last snapshots, reused while their buckets and samples are the same.
    var statsCache = WindowStatsCache()
    private var lastPage: Int64 = 0
    private let pageInterval: Int64 = 5_000_000_000
    /// Told of each tick and result batch, for the watchdog.
    var liveness: Liveness?

    /// `monitor` may come restored from a checkpoint, `saved` from `state.json`.
    init(_ setup: EngineSetup, monitor: Monitor, saved: (silences: [Silence], alerts: [SavedAlert]), outputs: EngineOutputs,
         clock: any TimeSource = SystemClock(), checkpointPieceBytes: Int = 4 << 20, journalContinues: Bool = false) {
        self.monitor = monitor
        self.checkpointPieceBytes = checkpointPieceBytes
        checkpointDue = !journalContinues
        self.outputs = outputs
        self.clock = clock
        self.checkpointInterval = setup.checkpointInterval.nanoseconds
        self.lastCheckpoint = clock.monotonicNanos()
        self.epochs = setup.epochs
        self.interval = setup.interval.nanoseconds
        self.alerts = AlertTracker(rules: setup.alertRules)
        self.silences = SilenceBook(configured: setup.silences, runtime: saved.silences)
        alerts.restore(saved.alerts)
    }

    func run(_ events: AsyncStream<EngineEvent>) async {
        for await event in events { await handle(event) }
    }

    func handle(_ event: EngineEvent) async {
        runsAsBackgroundWork()
        switch event {
        case .results(let batch):
            liveness?.resultArrived()
            for r in batch {
                guard epochs[r.name] == r.epoch, let i = monitor.index(of: r.name) else { continue }
                if monitor.ingest(r.sample, probe: i) { changed = true }
            }
        case .tick:
            let now = now()
            if let due = nextOverdue, now.wall >= due {
                changed = true
                nextOverdue = nil
            }
            liveness?.engineTurned(at: now.monotonic)
            if (changed && now.monotonic - lastPublish >= debounce) || now.monotonic - lastPublish >= interval {
                publish()
            } else if alerts.isActive, now.monotonic - lastAlertRound >= 1_000_000_000 {
                evaluateAlerts(monitor.snapshot(now: now.wall, cache: &statsCache))
            }
            if writing == nil, now.monotonic - lastCheckpoint >= checkpointInterval { beginCheckpoint() }
            writeCheckpoint(pieces: 1)
        case .reload(let setup, let kept):
            if writing != nil {
                // Its probes are not the monitor's any more: start again on the next tick.
                outputs.checkpoint.abandon()
                writing = nil
                // Its probes encoded so far count as saved: only a whole checkpoint saves them now.
                checkpointDue = true
                lastCheckpoint = now().monotonic - checkpointInterval
            }
            // The journal's records apply to the checkpoint's histories: one that no longer carries over (a probe gone,
            // or defined anew under its name) would come back from it, under what is recorded from now on.
            if monitor.entries.contains(where: { !kept.contains($0.rules.name) }) { checkpointDue = true }
            var next = Monitor(spec: setup.spec, startedAt: now().wall)
            next.adopt(from: monitor, probes: kept)
            monitor = next
            pageCache = StatusPageCache()
            statsCache = WindowStatsCache()
            lastPage = 0
            epochs = setup.epochs
            interval = setup.interval.nanoseconds
            alerts.replaceRules(setup.alertRules)
            silences.replaceConfigured(setup.silences)
            checkpointInterval = setup.checkpointInterval.nanoseconds
            changed = true
            publish()
        case .query(let request, let peer, let reply):
            reply(answer(request, peer: peer))
        case .flush(let done):
            lastPage = 0
            publish()
            if writing == nil { beginCheckpoint() }
            writeCheckpoint(pieces: .max)
            await outputs.drain()
            done.resume()
        }
    }

    /// Both clocks. A step of the wall clock since the last reading moves the alerts' clocks with
    /// it, so that `for` and `repeat` keep the pace of time that passed, not of the clock's jumps;
    /// a step forward also gives every probe its due time afresh (it skipped no results).
    func now() -> (monotonic: Int64, wall: Timestamp) {
        let monotonic = clock.monotonicNanos(), wall = clock.wallNanos()
        if let step = wallSteps.step(monotonic: monotonic, wall: wall).map(TimeSpan.init(nanoseconds:)) {
            alerts.wallClockStepped(by: step)
            if step.nanoseconds > 0 { monitor.wallClockSteppedForward(to: Timestamp(nanoseconds: wall)) }
            outputs.wallClockStepped(step)
        }
        return (monotonic, Timestamp(nanoseconds: wall))
    }

    private func publish() {
        let now = now()
        let snapshot = monitor.snapshot(now: now.wall, cache: &statsCache)
        var page: String?
        if now.monotonic - lastPage >= pageInterval || snapshot.health != lastHealth {
            page = StatusPage.html(snapshot, charts: monitor, cache: &pageCache)
            lastPage = now.monotonic
        }
        outputs.publish(snapshot, page, changed)
        changed = false
        lastPublish = now.monotonic
        nextOverdue = monitor.nextOverdue(after: snapshot.generatedAt)
        if snapshot.health != lastHealth {
            lastHealth = snapshot.health
            outputs.healthChanged(snapshot.health)
        }
        evaluateAlerts(snapshot)
    }

    func evaluateAlerts(_ snapshot: Snapshot) {
        lastAlertRound = clock.monotonicNanos()
        let expired = silences.expire(now: snapshot.generatedAt)
        let due = alerts.evaluate(snapshot, silences: silences.all, now: snapshot.generatedAt)
        if !due.isEmpty { outputs.notify(due) }
        for parent in alerts.parentRuns { outputs.runProbe(parent) }
        if expired || !due.isEmpty { saveState() }
    }

    func saveState() { outputs.saveState(silences, alerts.saved) }

    /// Windows and states to disk, so a restart loses at most one interval: what changed since the last save, as a
    /// journal record, or every probe's whole, as a checkpoint, when one is due or the journal takes no more.
    private func beginCheckpoint() {
        let now = now()
        lastCheckpoint = now.monotonic
        let kind: CheckpointStream.Kind = checkpointDue || outputs.checkpoint.needsCheckpoint() ? .checkpoint : .changes
        let stream = CheckpointStream(kind, writer: healthdVersion, at: now.wall, probes: monitor.entries.count)
        outputs.checkpoint.begin(kind, stream.headerSize)
        writing = (stream, 0)
        saveState()
    }

    /// Encodes probes into the checkpoint being written until `pieces` pieces are handed over or it is finished;
    /// nothing while the last piece is still being written, unless it must all go now (`.max`, at shutdown).
    private func writeCheckpoint(pieces: Int) {
        guard var (stream, next) = writing, pieces == .max || outputs.checkpoint.backlog() == 0 else { return }
        writing = nil  // so that the stream's buffer is not shared while it grows
        var handed = 0
        while next < monitor.entries.count, handed < pieces {
            stream.append(monitor.entries[next])
            monitor.markSaved(next)
            next += 1
            if stream.pending >= checkpointPieceBytes {
                outputs.checkpoint.append(stream.take())
                handed += 1
            }
        }
        guard next == monitor.entries.count else { return writing = (stream, next) }
        let (header, last, trailer) = stream.finish()
        outputs.checkpoint.finish(header, last, trailer)
        if stream.kind == .checkpoint { checkpointDue = false }
    }
}
