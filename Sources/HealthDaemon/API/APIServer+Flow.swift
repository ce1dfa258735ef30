import HealthAPI
import HealthCore
import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// How bytes move between the server and a client, so that no client can take more than its
/// share: at most a read budget per turn; every line, blank or not, costs a request token, and a
/// client out of tokens is not read until one is back; a client whose answers pile up unread is
/// not read either (nor its requests answered) until they drain; a half-closed client gets every
/// answer it asked for, then the connection closes.
extension APIServer {
    /// Unsent answers above this stop the reading of further requests.
    static let outputHighWater = 256 * 1024
    /// At most this much is read and thrown away from a client being closed (a client that sent
    /// one huge line is often still sending it).
    static let maxDiscard = 16 << 20

    func ready(_ c: Client, _ events: UInt32) {
        if events & EventLoop.writable != 0 { flush(c) }
        guard clients[c.fd] === c, events & (EventLoop.readable | EventLoop.hangup) != 0, wantsInput(c) else { return }
        var budget = EventLoop.readBudget
        while budget > 0 {
            let r: Socket.IOResult
            do { r = try Socket.read(c.fd, into: scratch) } catch { return drop(c) }
            switch r {
            case .bytes(let n):
                budget -= n
                if c.closing {
                    c.discarded += n
                    if c.discarded > Self.maxDiscard { return drop(c) }
                    continue
                }
                c.lastActive = monotonicNanos()
                c.input.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<n]))
                guard handleLines(c) else { return }
                guard wantsInput(c) else { return updateInterest(c) }
            case .wouldBlock: return
            case .eof:
                if c.closing { return drop(c) }
                c.eof = true
                // The last request may lack its newline; it is a request all the same.
                if !c.input.isEmpty, c.input.last != 10 { c.input.append(10) }
                updateInterest(c)
                if handleLines(c) { finishIfDone(c) }
                return
            }
        }
        // Level-triggered: what is left is read on the next turn, after everyone else's.
    }

    /// Reading more from `c` now would be useful and fair.
    func wantsInput(_ c: Client) -> Bool {
        c.closing || (!c.eof && !c.throttled && c.pending < Self.outputHighWater)
    }

    /// Watches `c` for what it can do next: input it may send, output we owe it.
    func updateInterest(_ c: Client) {
        var events: UInt32 = 0
        if wantsInput(c) { events |= EventLoop.readable }
        if c.pending > 0 { events |= EventLoop.writable }
        try? loop.modify(c.fd, events: events)
    }

    /// Answers every complete line it may; false when the client was dropped.
    func handleLines(_ c: Client) -> Bool {
        var start = 0
        while !c.awaiting, !c.resolving, !c.throttled, c.pending < Self.outputHighWater,
              let nl = c.input[start...].firstIndex(of: 10) {
            let line = c.input[start..<nl]
            start = nl + 1
            let blank = line.allSatisfy { $0 == 32 || $0 == 13 || $0 == 9 }
            guard takeToken(c) else {
                if !blank { send(errorLine("too many requests: at most \(formatNumber(limits.requestsPerSecond)) a second"), to: c) }
                throttle(c)
                break
            }
            if blank { continue }
            do { try handle(try APIRequest(line: line), from: c) } catch { send(errorLine(error.message), to: c) }
            guard clients[c.fd] === c else { return false }
        }
        c.input.removeFirst(start)
        if c.input.count > limits.maxLine, c.input.firstIndex(of: 10) == nil {
            hangUp(c, saying: errorLine("request line longer than \(limits.maxLine) bytes; closing"))
            return false
        }
        return true
    }

    /// A token bucket: `requestsPerSecond` refilled continuously, bursts up to twice that.
    func takeToken(_ c: Client) -> Bool {
        let now = monotonicNanos()
        c.tokens = min(limits.requestsPerSecond * 2, c.tokens + Double(now - c.lastRefill) / 1e9 * limits.requestsPerSecond)
        c.lastRefill = now
        guard c.tokens >= 1 else { return false }
        c.tokens -= 1
        return true
    }

    /// Stops reading `c` until its next token is due, then answers what it had sent.
    private func throttle(_ c: Client) {
        c.throttled = true
        updateInterest(c)
        let wait = Int64(max(0, 1 - c.tokens) / limits.requestsPerSecond * 1e9)
        loop.schedule(at: monotonicNanos() + wait + 1_000_000) { [weak self, weak c] in
            guard let self, let c, clients[c.fd] === c else { return }
            c.throttled = false
            if handleLines(c) {
                updateInterest(c)
                finishIfDone(c)
            }
        }
    }

    func send(_ bytes: [UInt8], to c: Client) {
        if !limits.admits(pending: c.pending, adding: bytes.count) {
            logger.warning("api: dropping a client of \(c.peer.user) that stopped reading (\(c.pending) bytes unsent)")
            return drop(c)
        }
        c.output.append(contentsOf: bytes)
        flush(c)
    }

    func flush(_ c: Client) {
        let wasFull = !wantsInput(c)
        while c.sent < c.output.count {
            let r = try? c.output.withUnsafeBytes { buf throws(SystemError) in
                try Socket.write(c.fd, UnsafeRawBufferPointer(rebasing: buf[c.sent...]))
            }
            switch r {
            case .bytes(let n)?: c.sent += n
            case .wouldBlock?:
                // What was sent goes, so the buffer holds only what is owed.
                if c.sent >= 64 * 1024 {
                    c.output.removeFirst(c.sent)
                    c.sent = 0
                }
                return updateInterest(c)
            case .eof?, nil: return drop(c)
            }
        }
        c.output.removeAll(keepingCapacity: c.output.count < 1 << 20)
        c.sent = 0
        if c.closing { shutdown(c.fd, Int32(SHUT_WR)) }
        updateInterest(c)
        // Answers drained: the requests that waited for that may go on.
        if wasFull, wantsInput(c), handleLines(c) { updateInterest(c) }
        finishIfDone(c)
    }

    /// A half-closed client that has every answer it asked for is done with.
    func finishIfDone(_ c: Client) {
        guard clients[c.fd] === c, c.eof, !c.closing, !c.awaiting, !c.resolving, c.pending == 0,
              !c.input.contains(10) else { return }
        drop(c)
    }

    /// Says a last line, half-closes once it is out, and reads (and drops) what the client still
    /// sends until it closes too, 16 MiB or 2 s at most: closing a socket with unread input resets
    /// the connection, and the client would lose the line that says why.
    func hangUp(_ c: Client, saying last: [UInt8]) {
        c.input = []
        c.subscribed = false
        send(last, to: c)
        guard clients[c.fd] === c else { return }
        c.closing = true
        if c.pending == 0 { shutdown(c.fd, Int32(SHUT_WR)) }
        updateInterest(c)
        loop.schedule(at: monotonicNanos() + 2_000_000_000) { [weak self, weak c] in
            if let self, let c { drop(c) }
        }
    }

    func drop(_ c: Client) {
        guard clients.removeValue(forKey: c.fd) != nil else { return }
        loop.unregister(c.fd)
        close(c.fd)
    }
}
