import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// The Unix-socket API: newline-delimited JSON, one request per line, one response per line.
/// Loop-confined. Every client has bounded buffers, so a client that floods, stalls or never
/// reads costs bounded memory and is disconnected rather than slowing anyone else.
/// Questions about history go to the engine; the client's next lines wait for the answer, so
/// answers keep the order of the questions.
final class APIServer: @unchecked Sendable {  // loop-confined: other threads only reach it through loop.execute
    /// Asks the engine; `reply` may be called on any thread.
    typealias Query = (APIRequest, @escaping @Sendable ([UInt8]) -> Void) -> Void
    struct Limits {
        var maxClients = 1024
        var maxLine = 64 * 1024
        /// Unsent output a subscriber may accumulate before it is dropped.
        var maxPendingOutput = 8 << 20
    }

    private final class Client: @unchecked Sendable {  // loop-confined, like the server
        let fd: Int32
        var input: [UInt8] = []
        var output: [UInt8] = []
        var sent = 0
        var subscribed = false
        /// A question is with the engine; further lines wait.
        var awaiting = false
        init(fd: Int32) { self.fd = fd }
        var pending: Int { output.count - sent }
    }

    private let loop: EventLoop
    private let path: String
    private let logger: Logger
    private let limits: Limits
    private var listener: Int32 = -1
    private var clients: [Int32: Client] = [:]
    private var latest: [UInt8]
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    private let query: Query

    init(loop: EventLoop, path: String, logger: Logger, initial: [UInt8], limits: Limits = Limits(), query: @escaping Query) {
        self.latest = initial
        self.query = query
        self.loop = loop
        self.path = path
        self.logger = logger
        self.limits = limits
    }

    deinit { scratch.deallocate() }

    func start() throws(SystemError) {
        listener = try UnixSocket.listen(path: path)
        try loop.register(listener, events: EventLoop.readable) { [weak self] _ in self?.acceptAll() }
    }

    func stop() {
        for c in clients.values { drop(c) }
        if listener >= 0 {
            loop.unregister(listener)
            close(listener)
            unlink(path)
            listener = -1
        }
    }

    var clientCount: Int { clients.count }

    /// A new snapshot: answers later `snapshot` requests, and goes to subscribers when it changed.
    func update(_ json: [UInt8], changed: Bool) {
        latest = json
        guard changed else { return }
        for c in clients.values where c.subscribed { send(json, to: c) }
    }

    private func acceptAll() {
        while let fd = try? UnixSocket.accept(listener) {
            guard clients.count < limits.maxClients else {
                _ = errorLine("too many clients; try again later").withUnsafeBytes { try? Socket.write(fd, $0) }
                close(fd)
                continue
            }
            let c = Client(fd: fd)
            clients[fd] = c
            do {
                try loop.register(fd, events: EventLoop.readable) { [weak self, weak c] events in
                    // Strong for the call: a handler may drop the client it serves.
                    if let self, let c { self.ready(c, events) }
                }
            } catch {
                clients[fd] = nil
                close(fd)
            }
        }
    }

    private func ready(_ c: Client, _ events: UInt32) {
        if events & EventLoop.writable != 0 { flush(c) }
        guard clients[c.fd] === c, events & (EventLoop.readable | EventLoop.hangup) != 0 else { return }
        while true {
            let r: Socket.IOResult
            do { r = try Socket.read(c.fd, into: scratch) } catch { return drop(c) }
            switch r {
            case .bytes(let n):
                c.input.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<n]))
                guard handleLines(c) else { return }
            case .wouldBlock: return
            case .eof: return drop(c)
            }
        }
    }

    /// Answers every complete line; false when the client was dropped.
    private func handleLines(_ c: Client) -> Bool {
        var start = 0
        while !c.awaiting, let nl = c.input[start...].firstIndex(of: 10) {
            let line = c.input[start..<nl]
            start = nl + 1
            if line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { continue }
            do {
                switch try APIRequest(line: line) {
                case .snapshot: send(latest, to: c)
                case .subscribe:
                    c.subscribed = true
                    send(latest, to: c)
                case .probe, .history:
                    c.awaiting = true
                    let request = try APIRequest(line: line)
                    query(request) { [weak self, weak c] answer in
                        self?.loop.execute { [weak self, weak c] in
                            guard let self, let c, clients[c.fd] === c else { return }
                            c.awaiting = false
                            send(answer, to: c)
                            if clients[c.fd] === c { _ = handleLines(c) }
                        }
                    }
                }
            } catch {
                send(errorLine(error.message), to: c)
            }
            guard clients[c.fd] === c else { return false }
        }
        c.input.removeFirst(start)
        if c.input.count > limits.maxLine {
            send(errorLine("request line longer than \(limits.maxLine) bytes; closing"), to: c)
            drop(c)
            return false
        }
        return true
    }

    private func send(_ bytes: [UInt8], to c: Client) {
        if c.pending + bytes.count > limits.maxPendingOutput {
            logger.warning("api: dropping a client that stopped reading (\(c.pending) bytes unsent)")
            return drop(c)
        }
        c.output.append(contentsOf: bytes)
        flush(c)
    }

    private func flush(_ c: Client) {
        while c.sent < c.output.count {
            let r = try? c.output.withUnsafeBytes { buf throws(SystemError) in
                try Socket.write(c.fd, UnsafeRawBufferPointer(rebasing: buf[c.sent...]))
            }
            switch r {
            case .bytes(let n)?: c.sent += n
            case .wouldBlock?:
                try? loop.modify(c.fd, events: EventLoop.readable | EventLoop.writable)
                return
            case .eof?, nil: return drop(c)
            }
        }
        c.output.removeAll(keepingCapacity: c.output.count < 1 << 20)
        c.sent = 0
        try? loop.modify(c.fd, events: EventLoop.readable)
    }

    private func drop(_ c: Client) {
        guard clients.removeValue(forKey: c.fd) != nil else { return }
        loop.unregister(c.fd)
        close(c.fd)
    }
}
