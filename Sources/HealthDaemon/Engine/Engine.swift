import HealthConfig
import HealthCore
import HealthSys

/// What the engine evaluates by: the monitor's spec and the alerting rules, from one config.
struct EngineSetup: Sendable {
    var spec: MonitorSpec
    /// The scheduler's definitions, to accept results by.
    var epochs: [String: Int]
    var interval: TimeSpan
    var alertRules: [AlertRule]
    var silences: [Silence]
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
    /// A question from the API; the answer is one JSON line.
    case query(APIRequest, reply: @Sendable ([UInt8]) -> Void)
}

/// Samples in, evaluation, snapshots and notifications out. Changes are published within
/// `debounce` (a burst of changes becomes one write), and a snapshot is written at least every
/// `interval` regardless. Alerts are evaluated with each published snapshot, and every second
/// while any alert is pending, firing or owed (for `for`, `repeat` and silences that end).
final class Engine {
    private var monitor: Monitor
    private var epochs: [String: Int]
    private var interval: Int64
    private let debounce: Int64 = 100_000_000
    private let publisher: Publisher
    private let onHealthChange: (Health) -> Void
    private let notify: ([Notification]) -> Void
    private var changed = true
    private var lastPublish: Int64 = 0
    private var lastHealth: Health?
    private(set) var alerts: AlertTracker
    private(set) var silences: SilenceBook
    private var lastAlertRound: Int64 = 0

    init(_ setup: EngineSetup, publisher: Publisher, onHealthChange: @escaping (Health) -> Void,
         notify: @escaping ([Notification]) -> Void) {
        self.monitor = Monitor(spec: setup.spec)
        self.epochs = setup.epochs
        self.interval = setup.interval.nanoseconds
        self.publisher = publisher
        self.onHealthChange = onHealthChange
        self.notify = notify
        self.alerts = AlertTracker(rules: setup.alertRules)
        self.silences = SilenceBook(configured: setup.silences)
    }

    func run(_ events: AsyncStream<EngineEvent>) async {
        for await event in events {
            switch event {
            case .results(let batch):
                for r in batch {
                    guard epochs[r.name] == r.epoch, let i = monitor.index(of: r.name) else { continue }
                    if monitor.ingest(r.sample, probe: i) { changed = true }
                }
            case .tick:
                let now = monotonicNanos()
                if (changed && now - lastPublish >= debounce) || now - lastPublish >= interval {
                    publish()
                } else if alerts.isActive, now - lastAlertRound >= 1_000_000_000 {
                    evaluateAlerts(monitor.snapshot(now: Timestamp(nanoseconds: wallNanos())))
                }
            case .reload(let setup, let kept):
                var next = Monitor(spec: setup.spec)
                next.adopt(from: monitor, probes: kept)
                monitor = next
                epochs = setup.epochs
                interval = setup.interval.nanoseconds
                alerts.replaceRules(setup.alertRules)
                silences.replaceConfigured(setup.silences)
                changed = true
                publish()
            case .query(let request, let reply):
                reply(answer(request))
            case .flush(let done):
                publish()
                await publisher.drain()
                done.resume()
            }
        }
    }

    private func answer(_ request: APIRequest) -> [UInt8] {
        let now = Timestamp(nanoseconds: wallNanos())
        let json: String?
        let name: String
        switch request {
        case .probe(let n):
            name = n
            json = monitor.probeJSON(n, now: now)
        case .history(let h):
            name = h.probe
            json = monitor.historyJSON(h, now: now)
        case .snapshot, .subscribe:
            return Array((monitor.snapshot(now: now).json() + "\n").utf8)
        }
        guard let json else { return errorLine("no probe named \"\(name)\"") }
        return Array((json + "\n").utf8)
    }

    private func publish() {
        let snapshot = monitor.snapshot(now: Timestamp(nanoseconds: wallNanos()))
        publisher.publish(snapshot, changed: changed)
        changed = false
        lastPublish = monotonicNanos()
        if snapshot.health != lastHealth {
            lastHealth = snapshot.health
            onHealthChange(snapshot.health)
        }
        evaluateAlerts(snapshot)
    }

    private func evaluateAlerts(_ snapshot: Snapshot) {
        lastAlertRound = monotonicNanos()
        _ = silences.expire(now: snapshot.generatedAt)
        let due = alerts.evaluate(snapshot, silences: silences.all, now: snapshot.generatedAt)
        if !due.isEmpty { notify(due) }
    }
}
