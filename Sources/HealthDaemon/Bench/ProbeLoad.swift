import HealthConfig
import HealthCore
import HealthSys
import Synchronization

/// The daemon's probe path without its outputs: event loop, scheduler, probes, and evaluation of
/// every result on a task of its own, as the engine does. The benchmark drives it to measure CPU
/// per probe and scheduling lag.
package final class ProbeLoad: @unchecked Sendable {
    package struct Figures: Sendable {
        package var results = 0
        package var failures = 0
        package var lagNanos: [Int64] = []
    }

    private let loop: EventLoop
    private let probes: [ProbeConfig]
    private var scheduler: Scheduler?
    private let figuresLock = Mutex(Figures())
    private var consumer: Task<Void, Never>?

    package init(probes: [ProbeConfig]) throws {
        self.loop = try EventLoop()
        self.probes = probes
    }

    package func start() {
        let (results, sink) = AsyncStream<[ProbeResult]>.makeStream()
        let spec = MonitorSpec(probes: probes.map(\.rules))
        consumer = Task { [self] in
            var monitor = Monitor(spec: spec)
            for await batch in results {
                for r in batch {
                    guard let i = monitor.index(of: r.name) else { continue }
                    monitor.ingest(r.sample, probe: i)
                }
                figuresLock.withLock {
                    $0.results += batch.count
                    $0.failures += batch.count { !$0.sample.ok }
                }
            }
        }
        loop.start()
        loop.execute { [self] in
            let factory = ProbeFactory()
            let batcher = ResultBatcher(loop: loop) { sink.yield($0) }
            let s = Scheduler(context: ProbeContext(loop: loop), timers: loop, makeAttempt: factory.makeAttempt, deliver: batcher.add)
            s.onLag = { [self] lag in self.figuresLock.withLock { $0.lagNanos.append(lag) } }
            s.apply(probes, epoch: 1)
            scheduler = s
        }
    }

    /// Clears the counters (after a warm-up).
    package func reset() { figuresLock.withLock { $0 = Figures() } }

    package var figures: Figures { figuresLock.withLock { $0 } }

    package func stop() {
        let done = Mutex(false)
        loop.execute { [self] in
            scheduler?.stopAll()
            scheduler = nil
            done.withLock { $0 = true }
        }
        while !done.withLock({ $0 }) { usleepShort() }
        loop.shutdown()
        consumer?.cancel()
    }
}
