import CHealthSys
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One thread, one epoll set, a timer heap. Everything registered here runs on that thread,
/// so the probe state machines need no locks; other threads hand work in through `execute`.
package final class EventLoop: TimerSource, @unchecked Sendable {
    package typealias IOHandler = (UInt32) -> Void
    package typealias TimerID = HealthSys.TimerID

    package static let readable = CHS_EPOLLIN, writable = CHS_EPOLLOUT, edgeTriggered = CHS_EPOLLET
    package static let hangup = CHS_EPOLLHUP | CHS_EPOLLERR | CHS_EPOLLRDHUP

    private let epfd: Int32
    private let wakeFd: Int32
    private var handlers: [Int32: (token: UInt64, handler: IOHandler)] = [:]
    private var generation: UInt64 = 0
    /// Handlers that stopped reading at their budget, to be called again after everyone else's turn.
    private var again: [(fd: Int32, token: UInt64, events: UInt32)] = []
    private var timers = TimerHeap()
    private var timerActions: [UInt64: () -> Void] = [:]
    private var nextTimerID: UInt64 = 0
    private let inbox = Mutex<[@Sendable () -> Void]>([])
    private let stopping = Atomic<Bool>(false)
    private let loopThread = Atomic<UInt>(0)
    private var thread: pthread_t?
    /// How late a timer may fire so that timers due close together share one wake-up: thousands
    /// of probes spread over a second would otherwise cost a context switch each.
    private let timerSlack: Int64

    package init(timerSlackMillis: Int64 = 2) throws(SystemError) {
        timerSlack = timerSlackMillis * 1_000_000
        epfd = try syscall("epoll_create1") { chs_epoll_create() }
        wakeFd = try syscall("eventfd") { chs_eventfd() }
        try syscall("epoll_ctl") { chs_epoll_ctl(epfd, CHS_EPOLL_CTL_ADD, wakeFd, CHS_EPOLLIN, UInt64(UInt32(bitPattern: wakeFd))) }
    }

    deinit {
        close(wakeFd)
        close(epfd)
    }

    package var inLoop: Bool { loopThread.load(ordering: .relaxed) == UInt(pthread_self()) }

    /// Traps in debug builds when called off the loop thread, the way NIOLoopBound does: state
    /// that is loop-confined says so here rather than in a comment. Before the loop runs, the
    /// thread that sets it up owns it. Free in release builds.
    package func assertInLoop(_ what: @autoclosure () -> String = "loop-confined state", file: StaticString = #fileID, line: UInt = #line) {
        assert(inLoop || !started, "\(what()) used off the event loop thread", file: file, line: line)
    }

    /// The loop thread has begun running.
    package var started: Bool { loopThread.load(ordering: .relaxed) != 0 }

    /// Starts the loop on its own thread.
    package func start() {
        let box = Unmanaged.passRetained(self)
        var t = pthread_t()
        pthread_create(&t, nil, { arg in
            let loop = Unmanaged<EventLoop>.fromOpaque(arg!).takeRetainedValue()
            loop.run()
            return nil
        }, box.toOpaque())
        thread = t
    }

    /// Stops the loop after the current iteration and waits for its thread.
    package func shutdown() {
        stopping.store(true, ordering: .releasing)
        wake()
        if let thread, !inLoop { pthread_join(thread, nil) }
        thread = nil
    }

    /// Runs `work` on the loop thread, soon. Safe from any thread.
    package func execute(_ work: @escaping @Sendable () -> Void) {
        let wasEmpty = inbox.withLock { q in
            q.append(work)
            return q.count == 1
        }
        if wasEmpty { wake() }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFd, &one, 8)
    }

    // MARK: loop-thread only

    /// Watches `fd`; the handler gets the epoll event mask. Replaces an earlier registration of the fd.
    package func register(_ fd: Int32, events: UInt32, _ handler: @escaping IOHandler) throws(SystemError) {
        assertInLoop("EventLoop.register")
        generation &+= 1
        let token = (generation << 32) | UInt64(UInt32(bitPattern: fd))
        let op = handlers[fd] == nil ? CHS_EPOLL_CTL_ADD : CHS_EPOLL_CTL_MOD
        try syscall("epoll_ctl") { chs_epoll_ctl(epfd, op, fd, events, token) }
        handlers[fd] = (token, handler)
    }

    /// How much a handler should read per turn before it calls `yield`: enough for any probe's
    /// answer, little enough that one busy peer cannot hold the loop from the others.
    package static let readBudget = 256 * 1024

    /// The handler of `fd` used up its turn with data still waiting: call it again with `events`
    /// once every other ready descriptor, due timer and queued task has had its turn. (Edge-
    /// triggered descriptors would otherwise never hear of that data again.)
    package func yield(_ fd: Int32, events: UInt32) {
        assertInLoop("EventLoop.yield")
        guard let h = handlers[fd] else { return }
        again.append((fd, h.token, events))
    }

    package func modify(_ fd: Int32, events: UInt32) throws(SystemError) {
        assertInLoop("EventLoop.modify")
        guard let h = handlers[fd] else { return }
        try syscall("epoll_ctl") { chs_epoll_ctl(epfd, CHS_EPOLL_CTL_MOD, fd, events, h.token) }
    }

    /// Stops watching `fd`. `closing: true` skips the syscall: closing the fd removes it from epoll.
    package func unregister(_ fd: Int32, closing: Bool = false) {
        assertInLoop("EventLoop.unregister")
        guard handlers.removeValue(forKey: fd) != nil, !closing else { return }
        _ = chs_epoll_ctl(epfd, CHS_EPOLL_CTL_DEL, fd, 0, 0)
    }

    @discardableResult
    package func schedule(at deadline: Int64, _ action: @escaping () -> Void) -> TimerID {
        assertInLoop("EventLoop.schedule")
        nextTimerID += 1
        timers.push(deadline, nextTimerID)
        timerActions[nextTimerID] = action
        return TimerID(raw: nextTimerID)
    }

    package func cancel(_ timer: TimerID) {
        assertInLoop("EventLoop.cancel")
        timerActions.removeValue(forKey: timer.raw)
    }

    private func run() {
        loopThread.store(UInt(pthread_self()), ordering: .relaxed)
        var events = [chs_event](repeating: chs_event(), count: 256)
        while !stopping.load(ordering: .acquiring) {
            let n = events.withUnsafeMutableBufferPointer { chs_epoll_wait(epfd, $0.baseAddress, 256, waitMillis()) }
            for i in 0..<Int(max(n, 0)) {
                let ev = events[Int(i)]
                let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: ev.token))
                if fd == wakeFd {
                    var v: UInt64 = 0
                    _ = read(wakeFd, &v, 8)
                    continue
                }
                // A handler earlier in this batch may have closed the fd and a new socket reused its number.
                guard let h = handlers[fd], h.token == ev.token else { continue }
                h.handler(ev.events)
            }
            runDueTimers()
            drainInbox()
            runYielded()
        }
    }

    /// One more turn for each handler that yielded in the last one; what they yield now waits
    /// for the next round, after epoll has been asked again.
    private func runYielded() {
        guard !again.isEmpty else { return }
        let turn = again
        again.removeAll(keepingCapacity: true)
        for (fd, token, events) in turn {
            guard let h = handlers[fd], h.token == token else { continue }
            h.handler(events)
        }
    }

    private func waitMillis() -> Int32 {
        if !again.isEmpty || !inbox.withLock({ $0.isEmpty }) { return 0 }
        while let top = timers.first, timerActions[top.id] == nil { _ = timers.pop() }
        guard let top = timers.first else { return 1000 }
        let delta = top.deadline + timerSlack - monotonicNanos()
        return delta <= 0 ? 0 : Int32(min((delta + 999_999) / 1_000_000, 1000))
    }

    private func runDueTimers() {
        let now = monotonicNanos()
        while let top = timers.first, top.deadline <= now {
            _ = timers.pop()
            if let action = timerActions.removeValue(forKey: top.id) { action() }
        }
    }

    private func drainInbox() {
        let work = inbox.withLock { q -> [@Sendable () -> Void] in
            defer { q.removeAll(keepingCapacity: true) }
            return q
        }
        for w in work { w() }
    }
}
