import Dispatch

extension DispatchQueue {
    /// Returns once every work item handed to this serial queue before the call has run: how the
    /// file writers (snapshots, state, audit) wait for their writes at shutdown.
    package func drained() async { await run {} }

    /// Runs blocking work (file reads at start-up) on this queue and waits for its result, so that no thread of
    /// the concurrency pool is held while it blocks.
    package func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (done: CheckedContinuation<T, Never>) in async { done.resume(returning: work()) } }
    }
}
