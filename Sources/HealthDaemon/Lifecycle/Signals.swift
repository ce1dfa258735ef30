import HealthSys

/// The signals the daemon acts on, as an async stream (the service-lifecycle way: one place
/// decides what each means, instead of handlers scattered through the code). They are read from
/// a self-pipe on the event loop, so one sent at any moment — even before the loop runs — is
/// delivered, never lost or fatal.
enum Signals {
    static func stream(_ source: SignalPipe, loop: EventLoop) throws(SystemError) -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        try loop.register(source.fd, events: EventLoop.readable) { _ in
            while let sig = source.next() { continuation.yield(sig) }
        }
        return stream
    }
}
