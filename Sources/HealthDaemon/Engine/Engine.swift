import HealthConfig
import HealthCore
import HealthSys

/// Messages to the engine task, which alone owns the monitor.
enum EngineEvent: Sendable {
    case results([ProbeResult])
    /// A timer: publish if something changed or the interval is up.
    case tick
    /// A new config took effect; `epochs` are the scheduler's definitions, `kept` the probes whose history carries over.
    case reload(MonitorSpec, epochs: [String: Int], kept: Set<String>, interval: TimeSpan)
    /// Publish now and say when the files are written (shutdown).
    case flush(CheckedContinuation<Void, Never>)
    /// A question from the API about one probe or its history; the answer is one JSON line.
    case query(APIRequest, reply: @Sendable ([UInt8]) -> Void)
}

/// Samples in, evaluation, snapshots out. Changes are published within `debounce` (a burst of
/// changes becomes one write), and a snapshot is written at least every `interval` regardless.
final class Engine {
    private var monitor: Monitor
    private var epochs: [String: Int]
    private var interval: Int64
    private let debounce: Int64 = 100_000_000
    private let publisher: Publisher
    private let onHealthChange: (Health) -> Void
    private var changed = true
    private var lastPublish: Int64 = 0
    private var lastHealth: Health?

    init(spec: MonitorSpec, epochs: [String: Int], interval: TimeSpan, publisher: Publisher,
         onHealthChange: @escaping (Health) -> Void) {
        self.monitor = Monitor(spec: spec)
        self.epochs = epochs
        self.interval = interval.nanoseconds
        self.publisher = publisher
        self.onHealthChange = onHealthChange
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
                if (changed && now - lastPublish >= debounce) || now - lastPublish >= interval { publish() }
            case .reload(let spec, let epochs, let kept, let interval):
                var next = Monitor(spec: spec)
                next.adopt(from: monitor, probes: kept)
                monitor = next
                self.epochs = epochs
                self.interval = interval.nanoseconds
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
    }
}
