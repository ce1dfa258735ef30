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
    private let publisher: Publisher
    /// The system's health when it changes; nil while every critical probe is pending.
    private let onHealthChange: (Health?) -> Void
    private let notify: ([Notification]) -> Void
    /// Runs a probe now, out of turn: a parent that alerts wait on.
    private let runProbe: (String) -> Void
    private var changed = true
    private var lastPublish: Int64 = 0
    private var lastHealth: Health?
    /// Wall time at which a probe on time at the last publish becomes overdue if no result comes.
    private var nextOverdue: Timestamp?
    var alerts: AlertTracker
    var silences: SilenceBook
    private var lastAlertRound: Int64 = 0
    let store: StateStore
    private var checkpointInterval: Int64
    private var lastCheckpoint = monotonicNanos()
    /// status.html is for people whose browsers reload it every 30 s: rendered at most every
    /// `pageInterval` (and when the system's health changes), not on every change.
    private var pageCache = StatusPageCache()
    private var chartCache = ChartSeriesCache()
    private var lastPage: Int64 = 0
    private let pageInterval: Int64 = 5_000_000_000
    /// Told of each tick and result batch, for the watchdog.
    var liveness: Liveness?

    /// `monitor` may come restored from a checkpoint, `saved` from `state.json`.
    init(_ setup: EngineSetup, monitor: Monitor, saved: (silences: [Silence], alerts: [SavedAlert]), store: StateStore,
         publisher: Publisher, onHealthChange: @escaping (Health?) -> Void, notify: @escaping ([Notification]) -> Void,
         runProbe: @escaping (String) -> Void) {
        self.monitor = monitor
        self.store = store
        self.checkpointInterval = setup.checkpointInterval.nanoseconds
        self.epochs = setup.epochs
        self.interval = setup.interval.nanoseconds
        self.publisher = publisher
        self.onHealthChange = onHealthChange
        self.notify = notify
        self.runProbe = runProbe
        self.alerts = AlertTracker(rules: setup.alertRules)
        self.silences = SilenceBook(configured: setup.silences, runtime: saved.silences)
        alerts.restore(saved.alerts)
    }

    func run(_ events: AsyncStream<EngineEvent>) async {
        for await event in events {
            switch event {
            case .results(let batch):
                liveness?.resultArrived()
                for r in batch {
                    guard epochs[r.name] == r.epoch, let i = monitor.index(of: r.name) else { continue }
                    if monitor.ingest(r.sample, probe: i) { changed = true }
                }
            case .tick:
                if let due = nextOverdue, Timestamp(nanoseconds: wallNanos()) >= due {
                    changed = true
                    nextOverdue = nil
                }
                let now = monotonicNanos()
                liveness?.engineTurned(at: now)
                if (changed && now - lastPublish >= debounce) || now - lastPublish >= interval {
                    publish()
                } else if alerts.isActive, now - lastAlertRound >= 1_000_000_000 {
                    evaluateAlerts(monitor.snapshot(now: Timestamp(nanoseconds: wallNanos())))
                }
                if now - lastCheckpoint >= checkpointInterval { checkpoint() }
            case .reload(let setup, let kept):
                var next = Monitor(spec: setup.spec, startedAt: Timestamp(nanoseconds: wallNanos()))
                next.adopt(from: monitor, probes: kept)
                monitor = next
                pageCache = StatusPageCache()
                chartCache = ChartSeriesCache()
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
                checkpoint()
                await publisher.drain()
                await store.drain()
                done.resume()
            }
        }
    }

    private func publish() {
        let snapshot = monitor.snapshot(now: Timestamp(nanoseconds: wallNanos()))
        let now = monotonicNanos()
        var page: String?
        if now - lastPage >= pageInterval || snapshot.health != lastHealth {
            let series = monitor.chartSeries(range: StatusPage.range, step: StatusPage.step, now: snapshot.generatedAt, cache: &chartCache)
            page = StatusPage.html(snapshot, series: series, cache: &pageCache)
            lastPage = now
        }
        publisher.publish(snapshot, page: page, changed: changed)
        changed = false
        lastPublish = now
        nextOverdue = monitor.nextOverdue(after: snapshot.generatedAt)
        if snapshot.health != lastHealth {
            lastHealth = snapshot.health
            onHealthChange(snapshot.health)
        }
        evaluateAlerts(snapshot)
    }

    func evaluateAlerts(_ snapshot: Snapshot) {
        lastAlertRound = monotonicNanos()
        let expired = silences.expire(now: snapshot.generatedAt)
        let due = alerts.evaluate(snapshot, silences: silences.all, now: snapshot.generatedAt)
        if !due.isEmpty { notify(due) }
        for parent in alerts.parentRuns { runProbe(parent) }
        if expired || !due.isEmpty { saveState() }
    }

    func saveState() { store.saveState(silences: silences, alerts: alerts.saved) }

    /// Windows and states to disk, so a restart loses at most one interval.
    private func checkpoint() {
        lastCheckpoint = monotonicNanos()
        store.saveCheckpoint(monitor.checkpoint(now: Timestamp(nanoseconds: wallNanos()), writer: healthdVersion))
        saveState()
    }
}
