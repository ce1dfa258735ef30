import HealthCore
import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking TCP connection on the loop: resolve, connect, write, read until the owner is
/// satisfied or the peer closes. Protocol attempts (HTTP, and the database clients) sit on top.
/// The socket is registered once, edge-triggered for both directions, so a probe costs one
/// epoll_ctl rather than one per state change.
final class StreamConnection {
    private let context: ProbeContext
    private var fd: Int32 = -1
    private var address: SocketAddress?
    private var pendingOutput: [UInt8] = []
    private var sentBytes = 0
    private var onConnect: ((ProbeFailure?) -> Void)?
    /// Bytes as they arrive; return false to stop reading (the owner is done).
    var onBytes: (UnsafeRawBufferPointer) -> Bool = { _ in false }
    /// The peer closed (nil) or the connection failed.
    var onClose: (ProbeFailure?) -> Void = { _ in }

    init(context: ProbeContext) { self.context = context }

    deinit { close() }

    func connect(host: String, port: UInt16, _ done: @escaping (ProbeFailure?) -> Void) {
        context.resolver.resolve(host, port: port) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(let f): done(ProbeFailure(.dns, f.message))
            case .success(let addresses): self.connect(to: addresses[0], done)
            }
        }
    }

    private func connect(to address: SocketAddress, _ done: @escaping (ProbeFailure?) -> Void) {
        do {
            let (fd, _) = try Socket.startConnect(to: address)
            self.fd = fd
            self.address = address
            onConnect = done
            let events = EventLoop.readable | EventLoop.writable | EventLoop.hangup | EventLoop.edgeTriggered
            try context.loop.register(fd, events: events) { [weak self] events in self?.ready(events) }
        } catch {
            close()
            done(Self.failure(errno: error.errno, address: address))
        }
    }

    static func failure(errno err: Int32, address: SocketAddress) -> ProbeFailure {
        switch err {
        case ECONNREFUSED: return ProbeFailure(.refused, "connection refused by \(address)")
        case ETIMEDOUT: return ProbeFailure(.timeout, "connect to \(address) timed out")
        default: return ProbeFailure(.refused, "cannot connect to \(address): \(String(cString: strerror(err)))")
        }
    }

    func send(_ bytes: [UInt8]) {
        pendingOutput = bytes
        sentBytes = 0
        flush()
    }

    private func ready(_ events: UInt32) {
        if let done = onConnect {
            onConnect = nil
            let err = Socket.pendingError(fd)
            if err != 0 {
                close()
                return done(Self.failure(errno: err, address: address!))
            }
            done(nil)
        }
        if fd >= 0, events & EventLoop.writable != 0 { flush() }
        if fd >= 0, events & (EventLoop.readable | EventLoop.hangup) != 0 { drain() }
    }

    private func flush() {
        while fd >= 0, sentBytes < pendingOutput.count {
            let r: Socket.IOResult
            do {
                r = try pendingOutput.withUnsafeBytes { buf throws(SystemError) in
                    try Socket.write(fd, UnsafeRawBufferPointer(rebasing: buf[sentBytes...]))
                }
            } catch {
                return fail(ProbeFailure(.protocol, "sending failed: \(error)"))
            }
            guard case .bytes(let n) = r else { return }  // the next writable edge resumes
            sentBytes += n
        }
    }

    private func drain() {
        while fd >= 0 {
            let r: Socket.IOResult
            do { r = try Socket.read(fd, into: context.scratch) } catch {
                return fail(ProbeFailure(.protocol, "connection reset: \(error)"))
            }
            switch r {
            case .bytes(let n):
                if !onBytes(UnsafeRawBufferPointer(rebasing: context.scratch[..<n])) { return close() }
            case .wouldBlock: return
            case .eof:
                close()
                return onClose(nil)
            }
        }
    }

    private func fail(_ failure: ProbeFailure) {
        close()
        onClose(failure)
    }

    func close() {
        guard fd >= 0 else { return }
        context.loop.unregister(fd, closing: true)
        Glibc.close(fd)
        fd = -1
    }
}
