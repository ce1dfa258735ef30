import HealthCore
import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking TCP connection on the loop: resolve, connect, write, read until the owner is
/// satisfied or the peer closes. Protocol attempts (HTTP, and the database clients) sit on top.
final class StreamConnection {
    private let context: ProbeContext
    private var fd: Int32 = -1
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
            let (fd, state) = try Socket.startConnect(to: address)
            self.fd = fd
            onConnect = done
            if state == .connected { return connected(address) }
            try context.loop.register(fd, events: EventLoop.writable) { [unowned self] _ in self.connected(address) }
        } catch {
            done(Self.failure(errno: error.errno, address: address))
        }
    }

    private func connected(_ address: SocketAddress) {
        guard let done = onConnect else { return }
        onConnect = nil
        let err = Socket.pendingError(fd)
        if err != 0 {
            close()
            return done(Self.failure(errno: err, address: address))
        }
        do {
            try context.loop.register(fd, events: EventLoop.readable) { [unowned self] events in self.ready(events) }
        } catch {
            close()
            return done(ProbeFailure(.refused, error.description))
        }
        done(nil)
    }

    static func failure(errno err: Int32, address: SocketAddress) -> ProbeFailure {
        let why = String(cString: strerror(err))
        switch err {
        case ECONNREFUSED: return ProbeFailure(.refused, "connection refused by \(address)")
        case ETIMEDOUT: return ProbeFailure(.timeout, "connect to \(address) timed out")
        default: return ProbeFailure(.refused, "cannot connect to \(address): \(why)")
        }
    }

    func send(_ bytes: [UInt8]) {
        pendingOutput = bytes
        sentBytes = 0
        flush()
    }

    private func flush() {
        while sentBytes < pendingOutput.count {
            let r: Socket.IOResult
            do {
                r = try pendingOutput.withUnsafeBytes { buf throws(SystemError) in
                    try Socket.write(fd, UnsafeRawBufferPointer(rebasing: buf[sentBytes...]))
                }
            } catch {
                return fail(ProbeFailure(.protocol, "sending failed: \(error)"))
            }
            switch r {
            case .bytes(let n): sentBytes += n
            case .wouldBlock, .eof:
                try? context.loop.modify(fd, events: EventLoop.readable | EventLoop.writable)
                return
            }
        }
        try? context.loop.modify(fd, events: EventLoop.readable)
    }

    private func ready(_ events: UInt32) {
        if events & EventLoop.writable != 0 { flush() }
        guard fd >= 0, events & (EventLoop.readable | EventLoop.hangup) != 0 else { return }
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
        context.loop.unregister(fd)
        Glibc.close(fd)
        fd = -1
    }
}
