import HealthConfig
import HealthCore
import HealthSys
import Synchronization

/// The daemon's probe path without its outputs: event loop, scheduler, probes, and evaluation of
/// every result on a task of its own, as the engine does. The benchmark drives it to measure CPU
/// per probe and scheduling lag.
package final class ProbeLoad: Sendable {
    package struct Figures: Sendable {
        package var results = 0
        package var failures = 0
        package var lagNanos: [Int64] = []
    }

    private let loop: EventLoop
    private let probes: [ProbeConfig]
    private let scheduler: LoopBound<Scheduler>
    private let results: AsyncStream<[ProbeResult]>
    private let figuresLock = Mutex(Figures())
    private let consumer = Mutex<Task<Void, Never>?>(nil)

    package init(probes: [ProbeConfig]) throws {
        let loop = try EventLoop()
        let (results, sink) = AsyncStream<[ProbeResult]>.makeStream()
        // Made before the loop runs, by the thread that owns it until then.
        let batcher = ResultBatcher(loop: loop) { sink.yield($0) }
        let scheduler = Scheduler(context: ProbeContext(loop: loop), timers: loop, makeAttempt: ProbeFactory().makeAttempt,
                                  deliver: batcher.add)
        self.loop = loop
        self.probes = probes
        self.scheduler = LoopBound(scheduler, loop: loop)
        self.results = results
        scheduler.onLag = { [weak self] lag in self?.figuresLock.withLock { $0.lagNanos.append(lag) } }
    }

    package func start() {
        let spec = MonitorSpec(probes: probes.map(\.rules))
        consumer.withLock {
            $0 = Task { [self] in
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
        }
        loop.start()
        loop.execute { [scheduler, probes] in scheduler.value.apply(probes, epoch: 1) }
    }

    /// Clears the counters (after a warm-up).
    package func reset() { figuresLock.withLock { $0 = Figures() } }

    package var figures: Figures { figuresLock.withLock { $0 } }

    package func stop() {
        let done = Mutex(false)
        loop.execute { [scheduler] in
            scheduler.value.stopAll()
            done.withLock { $0 = true }
        }
        while !done.withLock({ $0 }) { usleepShort() }
        loop.shutdown()
        consumer.withLock { $0?.cancel() }
    }
}
