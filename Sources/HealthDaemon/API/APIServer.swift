import HealthAPI
import HealthCore
import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// The newest snapshot's JSON and number (`Publisher.newest`), to `reply` on any thread.
typealias APISnapshotSource = @Sendable (_ reply: @escaping @Sendable (Result<LatestSnapshot.Numbered, SystemError>) -> Void) -> Void

/// The Unix-socket API: newline-delimited JSON, one request per line, one response per line.
/// Loop-confined. Every client has bounded buffers, a request rate and an idle timeout, so a
/// client that floods, stalls, sends half a line or nothing costs bounded memory and time and is
/// disconnected rather than slowing anyone else. Questions for the engine hold the client's
/// next lines until answered, so answers keep the order of the questions. Admin ops need an
/// admin peer (SO_PEERCRED) and are audited, allowed or not.
final class APIServer {  // answers from other threads come back through loop.execute and a LoopBound
    struct Limits: Sendable, Equatable {
        var maxClients = 1024
        var maxLine = 64 * 1024
        /// Unsent output a subscriber may accumulate before it is dropped (see `admits`).
        var maxPendingOutput = 8 << 20
        /// A client that neither subscribed nor sent anything for this long is closed.
        var idleTimeout = TimeSpan.seconds(60)
        /// Requests per second per client (twice as many in a burst).
        var requestsPerSecond = 50.0

        /// Whether `adding` more bytes may wait for a client that has `pending` unsent: one answer of any size may
        /// (10,000 probes make a ~9 MB snapshot), and more while no more than `maxPendingOutput`, or two answers of
        /// that size, wait.
        func admits(pending: Int, adding: Int) -> Bool { pending + adding <= max(maxPendingOutput, 2 * adding) }
    }

    /// What the server asks of the rest of the daemon.
    struct Handlers {
        /// Questions and ops the engine answers; `reply` may be called on any thread.
        var engine: (EngineQuestion, APIPeer, @escaping @Sendable (APIAnswer) -> Void) -> Void
        /// Runs a probe now (on the loop); false if there is no such probe.
        var runProbe: (String) -> Bool
        /// Reloads the config; `done` gets nil or why the new config was rejected, on any thread.
        var reload: (@escaping @Sendable (String?) -> Void) -> Void
        var snapshot: APISnapshotSource
        var audit: AuditLog
    }

    final class Client {  // loop-confined, like the server
        let fd: Int32
        var peer: APIPeer
        var input: [UInt8] = []
        var output: [UInt8] = []
        var sent = 0
        var subscribed = false
        /// The number of the newest snapshot sent to this subscriber: an older one is not sent after it.
        var seen = -1
        /// A question is with the engine; further lines wait.
        var awaiting = false
        /// The peer's user name is being looked up; lines wait, so the audit log names the user.
        var resolving = false
        /// Out of request tokens: not read until one is back.
        var throttled = false
        /// The client half-closed: what it asked before is answered, then the connection closes.
        var eof = false
        var lastActive = monotonicNanos()
        var tokens: Double
        var lastRefill = monotonicNanos()
        /// The last line is said: reading only to discard, until the client closes too.
        var closing = false
        var discarded = 0
        init(fd: Int32, peer: APIPeer, tokens: Double) {
            (self.fd, self.peer, self.tokens) = (fd, peer, tokens)
        }
        var pending: Int { output.count - sent }
    }

    let loop: EventLoop
    private let path: String
    let logger: Logger
    let limits: Limits
    private let access: APIAccess
    let handlers: Handlers
    private let inherited: Int32?
    private var listener: Int32 = -1
    var clients: [Int32: Client] = [:]
    private var sweeper: EventLoop.TimerID?
    let userNames: UserNames
    /// Denied admin requests are audited at this pace at most, per uid, so no reader can rotate
    /// the log (or hide another reader's attempts behind its own).
    var deniedAudits: [uid_t: DeniedAuditBudget] = [:]
    private var acceptPaused = false
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    /// `inherited`: a listening socket systemd passed (socket activation) instead of `path`.
    init(loop: EventLoop, path: String, inherited: Int32? = nil, logger: Logger, limits: Limits,
         access: APIAccess, userNames: UserNames, handlers: Handlers) {
        (self.loop, self.path, self.inherited, self.logger) = (loop, path, inherited, logger)
        (self.limits, self.access, self.handlers) = (limits, access, handlers)
        self.userNames = userNames
    }

    deinit { scratch.deallocate() }

    func start(group: String?) throws(SystemError) {
        loop.assertInLoop("APIServer")
        if let inherited {
            listener = inherited
        } else {
            listener = try UnixSocket.listen(path: path)
            if let group {
                guard let g = getgrnam(group) else { throw SystemError("socket.group \(group): no such group", errno: ENOENT) }
                if chown(path, uid_t.max, g.pointee.gr_gid) != 0 {
                    logger.warning("cannot give \(path) to group \(group): \(SystemError("chown", errno: errno))")
                }
            }
        }
        try loop.register(listener, events: EventLoop.readable) { [weak self] _ in self?.acceptAll() }
        armSweeper()
    }

    func stop() {
        loop.assertInLoop("APIServer")
        for c in clients.values { drop(c) }
        if let sweeper { loop.cancel(sweeper) }
        if listener >= 0 {
            loop.unregister(listener)
            close(listener)
            // A socket systemd made is systemd's to remove.
            if inherited == nil { unlink(path) }
            listener = -1
        }
    }

    var clientCount: Int { clients.count }

    /// A new snapshot, numbered as `Publisher` numbers them: to subscribers, when it changed.
    func update(_ json: [UInt8], generation: Int, changed: Bool) {
        loop.assertInLoop("APIServer")
        guard changed else { return }
        for c in clients.values where c.subscribed && c.seen < generation {
            c.seen = generation
            send(json, to: c)
        }
    }

    private func acceptAll() {
        while true {
            let fd: Int32
            do {
                guard let accepted = try UnixSocket.accept(listener) else { return }
                fd = accepted
            } catch {
                // Out of descriptors (or kernel memory): the listener stays readable, so accepting
                // again at once would spin. Stop listening a moment; probes keep theirs.
                return pauseAccepting(error)
            }
            guard clients.count < limits.maxClients else {
                _ = errorLine("too many clients (\(limits.maxClients)); try again later").withUnsafeBytes { try? Socket.write(fd, $0) }
                close(fd)
                continue
            }
            let credentials = UnixSocket.peerCredentials(fd)
            let peer = credentials.map { access.peer($0, user: userNames.name(of: $0.uid)) } ?? .unknown
            let c = Client(fd: fd, peer: peer, tokens: limits.requestsPerSecond * 2)
            clients[fd] = c
            do {
                try loop.register(fd, events: EventLoop.readable) { [weak self, weak c] events in
                    // Strong for the call: a handler may drop the client it serves.
                    if let self, let c { self.ready(c, events) }
                }
            } catch {
                clients[fd] = nil
                close(fd)
                continue
            }
            if let credentials, peer.user.isEmpty {
                // getpwuid may ask LDAP or sssd: never on the loop. Lines wait for the name.
                c.resolving = true
                let address = LoopBound(ReplyAddress(server: self, client: c), loop: loop)
                userNames.lookUp(credentials.uid) { [loop] name in
                    loop.execute {
                        address.value.ifPresent { server, c in
                            c.peer.user = name
                            c.resolving = false
                            if server.handleLines(c) {
                                server.updateInterest(c)
                                server.finishIfDone(c)
                            }
                        }
                    }
                }
            }
        }
    }

    private func pauseAccepting(_ error: SystemError) {
        guard !acceptPaused else { return }
        acceptPaused = true
        logger.warning("api: cannot accept clients (\(error)); pausing for 250 ms, probes keep their descriptors")
        try? loop.modify(listener, events: 0)
        loop.schedule(at: monotonicNanos() + 250_000_000) { [weak self] in
            guard let self, listener >= 0 else { return }
            acceptPaused = false
            try? loop.modify(listener, events: EventLoop.readable)
        }
    }

    func handle(_ request: APIRequest, from c: Client) throws(APIRequest.Invalid) {
        loop.assertInLoop("APIServer")
        if request.isAdmin, !c.peer.admin {
            switch deniedAudits[c.peer.uid, default: DeniedAuditBudget()].take(now: monotonicNanos()) {
            case .record(let suppressed): audit(request, c.peer, outcome: "denied", suppressedBefore: suppressed)
            case .suppress: break
            }
            send(deniedLine(request), to: c)
            return
        }
        switch request {
        case .snapshot: sendNewest(to: c, subscribing: false)
        case .subscribe:
            c.subscribed = true
            sendNewest(to: c, subscribing: true)
        case .run(let probe):
            let known = handlers.runProbe(probe)
            audit(request, c.peer, outcome: known ? "ok" : "unknown probe")
            send(known ? Array("{\"ok\":true,\"probe\":\(jsonString(probe))}\n".utf8) : errorLine("no probe named \"\(probe)\""), to: c)
        case .audit(let limit):
            wait(c) { [handlers] reply in
                handlers.audit.recent(limit) { lines in reply(Array(("{\"entries\":[" + lines.joined(separator: ",") + "]}\n").utf8)) }
            }
        case .reload:
            let peer = c.peer
            wait(c) { [handlers, server = LoopBound(self, loop: loop)] reply in
                handlers.reload { rejected in
                    server.loop.execute { server.value.audit(request, peer, outcome: rejected == nil ? "ok" : "rejected", error: rejected) }
                    reply(rejected.map { errorLine("reload rejected, the running config stays: \($0)") } ?? Array("{\"ok\":true}\n".utf8))
                }
            }
        case .probe(let name): ask(.probe(name), request, from: c)
        case .history(let query): ask(.history(try query.resolved()), request, from: c)
        case .alerts: ask(.alerts, request, from: c)
        case .silences: ask(.silences, request, from: c)
        case .silence(let r): ask(.silence(r), request, from: c)
        case .unsilence(let id): ask(.unsilence(id: id), request, from: c)
        }
    }

    /// Hands a question to the engine; an admin op is audited with the outcome the engine tells.
    private func ask(_ question: EngineQuestion, _ request: APIRequest, from c: Client) {
        let peer = c.peer
        wait(c) { [handlers, server = LoopBound(self, loop: loop)] reply in
            handlers.engine(question, peer) { answer in
                if request.isAdmin {
                    server.loop.execute { server.value.audit(request, peer, outcome: answer.failure == nil ? "ok" : "failed", error: answer.failure) }
                }
                reply(answer.line)
            }
        }
    }

    /// The newest snapshot, which may have to be read back from disk. A new subscriber may have been sent a newer one
    /// meanwhile: then this one is not sent.
    private func sendNewest(to c: Client, subscribing: Bool) {
        waitDeciding(c) { [handlers] reply in
            handlers.snapshot { result in
                switch result {
                case .success(let (json, generation)):
                    reply { c in
                        guard subscribing else { return json }
                        guard c.seen < generation else { return nil }
                        c.seen = generation
                        return json
                    }
                case .failure(let error):
                    reply { _ in errorLine("no snapshot to send: \(error)") }
                }
            }
        }
    }

    /// Holds the client's further lines until `ask` replies (from any thread).
    private func wait(_ c: Client, _ ask: (@escaping @Sendable ([UInt8]) -> Void) -> Void) {
        waitDeciding(c) { reply in ask { answer in reply { _ in answer } } }
    }

    /// `wait`, with what is sent decided on the loop, for the client as it is then (nil: nothing).
    private func waitDeciding(_ c: Client, _ ask: (@escaping @Sendable (@escaping @Sendable (Client) -> [UInt8]?) -> Void) -> Void) {
        c.awaiting = true
        let address = LoopBound(ReplyAddress(server: self, client: c), loop: loop)
        ask { [loop] answer in
            loop.execute {
                address.value.ifPresent { server, c in
                    c.awaiting = false
                    if let bytes = answer(c) { server.send(bytes, to: c) }
                    if server.clients[c.fd] === c, server.handleLines(c) { server.finishIfDone(c) }
                }
            }
        }
    }

    private func deniedLine(_ r: APIRequest) -> [UInt8] {
        let message = "permission denied: \"\(r.op.rawValue)\" is an admin op, for root, healthd's own user, or members of socket.admin_group"
        return Array("{\"error\":\(jsonString(message)),\"code\":\"denied\"}\n".utf8)
    }

    /// Every admin op, done or denied: who (from the kernel), what, and how it went.
    private func audit(_ r: APIRequest, _ peer: APIPeer, outcome: String, error: String? = nil, suppressedBefore: Int = 0) {
        // What a client asked is its own text: a 60 KB probe name is cut, not stored.
        let details = truncated(r.details, to: 256)
        handlers.audit.record("operator") { w in
            w.field("user", peer.user)
            w.field("uid", Int(peer.uid))
            w.field("pid", Int(peer.pid))
            w.field("op", r.op.rawValue)
            w.field("details", details)
            w.field("outcome", outcome)
            w.field("error", error)
            if suppressedBefore > 0 { w.field("denied_not_recorded", suppressedBefore) }
        }
        let line = "api: \(peer.user) (uid \(peer.uid), pid \(peer.pid)) \(r.op.rawValue) \(details): \(outcome)"
        outcome == "denied" ? logger.warning(line) : logger.info(line)
    }

    private func armSweeper() {
        sweeper = loop.schedule(at: monotonicNanos() + 1_000_000_000) { [weak self] in
            guard let self else { return }
            let cutoff = monotonicNanos() - limits.idleTimeout.nanoseconds
            for c in clients.values where !c.closing && !c.subscribed && !c.awaiting && !c.eof && c.pending == 0 && c.lastActive < cutoff {
                hangUp(c, saying: errorLine("idle for \(limits.idleTimeout); closing"))
            }
            armSweeper()
        }
    }
}
