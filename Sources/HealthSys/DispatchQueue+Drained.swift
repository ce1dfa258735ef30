import Dispatch

extension DispatchQueue {
    /// Returns once every work item handed to this serial queue before the call has run: how the
    /// file writers (snapshots, state, audit) wait for their writes at shutdown.
    package func drained() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in async { done.resume() } }
    }
}
