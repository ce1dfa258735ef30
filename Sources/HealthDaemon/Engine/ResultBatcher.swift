import HealthSys

/// Collects results on the loop and hands them on in batches, at most one per `delay`: waking
/// the engine task for every single result would cost a thread switch each. Loop-confined.
final class ResultBatcher {
    private let loop: EventLoop
    private let delay: Int64
    private let flush: ([ProbeResult]) -> Void
    private var pending: [ProbeResult] = []

    init(loop: EventLoop, delayMillis: Int64 = 10, flush: @escaping ([ProbeResult]) -> Void) {
        self.loop = loop
        self.delay = delayMillis * 1_000_000
        self.flush = flush
    }

    func add(_ result: ProbeResult) {
        loop.assertInLoop("ResultBatcher")
        if pending.isEmpty {
            loop.schedule(at: monotonicNanos() + delay) { [weak self] in
                guard let self else { return }
                flush(pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
        pending.append(result)
    }
}
