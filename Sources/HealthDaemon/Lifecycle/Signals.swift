import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The signals the daemon acts on, as an async stream (the service-lifecycle way: one place
/// decides what each means, instead of handlers scattered through the code).
enum Signals {
    static func stream(_ signals: [Int32]) -> AsyncStream<Int32> {
        AsyncStream { continuation in
            nonisolated(unsafe) let sources = signals.map { sig in
                signal(sig, SIG_IGN)  // the Dispatch source sees it; the default action must not kill us
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler { continuation.yield(sig) }
                source.resume()
                return source
            }
            continuation.onTermination = { _ in sources.forEach { $0.cancel() } }
        }
    }
}
