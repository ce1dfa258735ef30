import HealthConfig
import HealthCore
import HealthSys
import HealthTLS
#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking TCP connection on the loop: resolve, connect, optionally TLS (from the start or
/// when the protocol says so), write, read until the owner is satisfied or the peer closes.
/// Protocol attempts (HTTP, and the database clients) sit on top and see plaintext either way.
/// The socket is registered once, edge-triggered for both directions, so a probe costs one
/// epoll_ctl rather than one per state change.
final class StreamConnection {
    private let context: ProbeContext
    private var fd: Int32 = -1
    private var address: SocketAddress?
    private var output: [UInt8] = []
    private var sentBytes = 0
    private var onConnect: ((ProbeFailure?) -> Void)?
    private var tls: TLSClientSession?
    private var onHandshake: ((ProbeFailure?) -> Void)?
    private var clock = PhaseClock()
    /// Plaintext as it arrives; return false to stop reading (the owner is done).
    var onBytes: (UnsafeRawBufferPointer) -> Bool = { _ in false }
    /// The peer closed (nil) or the connection failed.
    var onClose: (ProbeFailure?) -> Void = { _ in }

    init(context: ProbeContext) { self.context = context }

    deinit { close() }

    /// The TLS session's facts once established.
    var tlsFacts: TLSFacts? { tls?.facts }
    var serverCertificate: TLSClientSession.ServerCertificate? { tls?.serverCertificate }
    var askedForMissingClientCertificate: Bool { tls?.askedForMissingCertificate ?? false }

    /// Milliseconds from `connect` to each phase reached; `total` is filled in by the caller.
    var timings: AttemptTimings { clock.timings }

    func connect(host: String, port: UInt16, _ done: @escaping (ProbeFailure?) -> Void) {
        context.loop.assertInLoop("StreamConnection")
        clock.start()
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

    /// Starts the TLS handshake on the connected socket with a session for `host` from the loop's
    /// shared contexts; `done` runs once it completed or failed. Throws, and no handshake begins,
    /// when the settings give no session.
    func startTLS(_ settings: TLSSettings, host: String, _ done: @escaping (ProbeFailure?) -> Void) throws(ProbeFailure) {
        let session = try context.tls.session(settings, host: host).get()
        tls = session
        onHandshake = done
        do throws(TLSError) { write(try session.start()) } catch { handshakeFailed(error) }
    }

    /// Sends application data (encrypted once TLS is up).
    func send(_ bytes: [UInt8]) {
        guard let tls else { return write(bytes) }
        do throws(TLSError) { write(try tls.seal(bytes)) } catch { fail(ProbeFailure(.tls, error.message)) }
    }

    private func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if sentBytes == output.count {
            output = bytes
            sentBytes = 0
        } else {
            output += bytes
        }
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
            clock.connected()
            done(nil)
        }
        if fd >= 0, events & EventLoop.writable != 0 { flush() }
        if fd >= 0, events & (EventLoop.readable | EventLoop.hangup) != 0 { drain() }
    }

    private func flush() {
        while fd >= 0, sentBytes < output.count {
            let r: Socket.IOResult
            do {
                r = try output.withUnsafeBytes { buf throws(SystemError) in
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
        var budget = EventLoop.readBudget
        while fd >= 0 {
            guard budget > 0 else {
                // A peer streaming fast gets its next turn after every other descriptor and timer.
                return context.loop.yield(fd, events: EventLoop.readable)
            }
            let r: Socket.IOResult
            do { r = try Socket.read(fd, into: context.scratch) } catch {
                return fail(ProbeFailure(.protocol, "connection reset: \(error)"))
            }
            switch r {
            case .bytes(let n):
                budget -= n
                let bytes = UnsafeRawBufferPointer(rebasing: context.scratch[..<n])
                if tls == nil {
                    if !deliver(bytes) { return close() }
                } else if !decrypt(bytes) {
                    return
                }
            case .wouldBlock: return
            case .eof:
                if let tls, let error = tls.peerClosed() { return handshakeFailed(error) }
                close()
                return onClose(nil)
            }
        }
    }

    /// Feeds ciphertext to the TLS session; false once the connection is finished with.
    private func decrypt(_ ciphertext: UnsafeRawBufferPointer) -> Bool {
        guard let tls else { return false }
        let r: TLSClientSession.Received
        do throws(TLSError) { r = try tls.receive(ciphertext) } catch {
            if onHandshake != nil { handshakeFailed(error) } else { fail(ProbeFailure(.tls, error.message)) }
            return false
        }
        write(r.output)
        if r.established, let done = onHandshake {
            onHandshake = nil
            clock.tlsDone()
            done(nil)
            guard fd >= 0 else { return false }
        }
        if !r.plaintext.isEmpty {
            let more = r.plaintext.withUnsafeBytes { deliver($0) }
            if !more {
                close()
                return false
            }
        }
        if r.closed {
            close()
            onClose(nil)
            return false
        }
        return fd >= 0
    }

    private func deliver(_ bytes: UnsafeRawBufferPointer) -> Bool {
        clock.firstByte()
        return onBytes(bytes)
    }

    private func handshakeFailed(_ error: TLSError) {
        close()
        let done = onHandshake
        onHandshake = nil
        let failure = ProbeFailure(.tls, error.message)
        if let done { done(failure) } else { onClose(failure) }
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

/// When each phase of a connection was reached, on the monotonic clock.
struct PhaseClock {
    private var started: Int64 = 0
    private var connectedAt: Int64?
    private var tlsAt: Int64?
    private var firstByteAt: Int64?

    mutating func start() { started = monotonicNanos() }
    mutating func connected() { connectedAt = monotonicNanos() }
    mutating func tlsDone() { tlsAt = monotonicNanos() }
    mutating func firstByte() { if firstByteAt == nil { firstByteAt = monotonicNanos() } }

    var timings: AttemptTimings {
        func ms(_ t: Int64?) -> Double? { t.map { Double($0 - started) / 1e6 } }
        return AttemptTimings(connect: ms(connectedAt), tls: ms(tlsAt), firstByte: ms(firstByteAt), total: 0)
    }
}
