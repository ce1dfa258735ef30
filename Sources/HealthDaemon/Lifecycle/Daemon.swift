import Foundation
import Synchronization
import HealthConfig
import HealthCore
import HealthSys
import HealthTLS

/// healthd's main: one top-level task group (engine, ticker, signals, watchdog) driven by one
/// stream of control events (signals, the API's reload, a child that ended), an event loop thread
/// for all probe, hook and socket I/O, history restored from the state dir at start, and a clean
/// shutdown that writes a final snapshot and checkpoint. Every child reports how it ended: one
/// that ends before shutdown is logged and stops the daemon (exit status 1), and a shutdown that
/// takes longer than `shutdownDeadline` exits anyway.
///
/// Three domains: this object is immutable; what the control loop changes (the config in force)
/// lives in `run`; the loop-confined services live in a `LoopBound`, reached through the loop.
package final class Daemon: Sendable {
    private enum Control: Sendable {
        case signal(Int32)
        /// From the API: reload, then say nil or why the new config was rejected.
        case reload(@Sendable (String?) -> Void)
        /// A child of the top-level task group returned.
        case ended(Child)
    }

    /// The top-level task group's children.
    enum Child: String, Sendable {
        case engine, ticker, signals, watchdog
    }

    /// How long a shutdown may take (the final snapshot, checkpoint, hooks and audit drained) before
    /// the process exits regardless.
    static let shutdownDeadline = Duration.seconds(20)

    private let configPath: String
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let liveness = Liveness()
    private let environment: [String: String]
    private let loop: EventLoop
    private let controls: AsyncStream<Control>
    private let control: AsyncStream<Control>.Continuation
    private let signals: AsyncStream<Int32>
    /// The config read at start; reloads replace it in `run`'s `RunningConfig`.
    private let config: Config

    package init(configPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        // First, so that the window in which a signal still has its default action is as short as can be.
        let signalPipe = try SignalPipe([SIGTERM, SIGINT, SIGHUP])
        self.configPath = configPath
        self.environment = environment
        self.logger = Logger(environment: environment)
        self.notifier = SystemdNotifier(environment: environment)
        self.config = try Config.load(path: configPath)
        self.loop = try EventLoop()
        self.signals = try Signals.stream(signalPipe, loop: loop)
        (controls, control) = AsyncStream<Control>.makeStream()
    }

    /// Runs until SIGTERM or SIGINT; returns the exit status.
    package func run() async -> Int32 {
        // A hook that exits without reading its stdin must be an EPIPE for us, not a SIGPIPE that kills us.
        signal(SIGPIPE, SIG_IGN)
        // Buffers of a checkpoint's size (tens of MB) come and go: a fixed threshold keeps them mapped apart and
        // returned when freed. glibc would otherwise raise it after the first, and keep the next ones in its arenas.
        trimMemory(fixingThreshold: true)
        for (what, dir) in [("output.dir", config.output.dir), ("state.dir", config.state.dir)] {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                logger.error("cannot create \(what) \(dir): \(error.localizedDescription) (set \(what) to a directory healthd may write)")
                return 1
            }
        }
        logger.redactor.update(config.secrets)
        let descriptorLimit = DescriptorLimit.raiseToHard()
        let audit = AuditLog(dir: config.state.dir, maxBytes: config.state.auditMaxBytes, files: config.state.auditFiles, logger: logger)
        let store = StateStore(dir: config.state.dir, logger: logger)
        // Reading the checkpoint, the state file and the system's CAs blocks: done on a queue of its own, not on a
        // thread of the concurrency pool.
        let files = DispatchQueue(label: "healthd.start")
        // Handed to the engine, not kept here: a second reference would make the engine's first write to each
        // probe's windows copy them, holding every history twice for as long as the daemon runs.
        let monitor = Handoff(await files.run { [self] in restoredMonitor(store) })
        let publisher = Publisher(dir: config.output.dir, logger: logger, restored: monitor.read {
            Array(($0.monitor.snapshot(now: Timestamp(nanoseconds: wallNanos())).json() + "\n").utf8)
        })
        let saved = await files.run { store.loadState() }
        let (events, sink) = AsyncStream<EngineEvent>.makeStream()
        var running = RunningConfig(config: config, epoch: 1)
        let listenFD = inheritedSocket()
        // Read the system's CAs now, so the first TLS probe does not read them on the loop.
        await files.run { SystemTrust.preload() }
        loop.start()
        liveness.expectResults(within: Self.resultGrace(config))
        let made = await onLoop { [self, epoch = running.epoch] in
            liveness.beat(on: loop, every: 200_000_000)
            return startServices(epoch: epoch, engine: sink, audit: audit, snapshot: publisher.newest, inherited: listenFD,
                                 descriptorLimit: descriptorLimit)
        }
        guard let services = made else {
            loop.shutdown()
            return 1
        }
        // Taken by the engine, not kept here for as long as it runs: its spec (~150 bytes a probe) serves reloads only.
        let setup = Handoff(engineSetup(config, epochs: await onLoop { services.value.scheduler.epochs }))
        logger.info("healthd started: \(config.probes.count) probes, snapshots in \(config.output.dir)" +
                    (config.output.socket.map { ", socket \($0)" } ?? ""))
        notifier.notify("READY=1\nSTATUS=evaluating \(config.probes.count) probes")

        var status: Int32 = 0
        var deadline: DispatchWorkItem?
        await withTaskGroup(of: Child.self) { group in
            /// Runs `body` as a child that tells the control loop when it returns.
            func child(_ which: Child, _ body: @escaping @Sendable () async -> Void) {
                group.addTask { [control] in
                    await body()
                    control.yield(.ended(which))
                    return which
                }
            }
            child(.engine) { [notifier, loop, liveness, logger] in
                let outputs = EngineOutputs(
                    publish: { [loop] snapshot, page, changed in
                        let (json, generation) = publisher.publish(snapshot, page: page, changed: changed)
                        loop.execute { services.value.api?.update(json, generation: generation, changed: changed) }
                    },
                    checkpoint: CheckpointWriting(begin: store.beginCheckpoint, append: store.appendCheckpoint,
                                                  backlog: { store.checkpointBacklogBytes },
                                                  finish: store.finishCheckpoint, abandon: store.abandonCheckpoint,
                                                  needsCheckpoint: { store.needsCheckpoint }),
                    saveState: store.saveState,
                    drain: {
                        await publisher.drain()
                        await store.drain()
                    },
                    healthChanged: { health in
                        notifier.notify("STATUS=system " + (health.map { "\($0)" } ?? "pending: no critical probe has answered yet"))
                    },
                    notify: { due in loop.execute { services.value.dispatcher.dispatch(due) } },
                    runProbe: { name in loop.execute { _ = services.value.scheduler.runNow(name) } },
                    wallClockStepped: { step in
                        let by = TimeSpan.seconds(abs(step.nanoseconds) / 1_000_000_000)
                        logger.warning("the wall clock was set \(step.nanoseconds < 0 ? "back" : "forward") by \(by): alert timers"
                                       + " keep their pace; samples are dated by the clock as it is now")
                    })
                let (restored, journalContinues) = monitor.take()
                let engine = Engine(setup.take(), monitor: consume restored, saved: saved, outputs: outputs, journalContinues: journalContinues)
                engine.liveness = liveness
                await engine.run(events)
            }
            child(.ticker) {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                    sink.yield(.tick)
                }
            }
            child(.signals) { [control, signals] in
                for await sig in signals { control.yield(.signal(sig)) }
            }
            if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0 {
                child(.watchdog) { [notifier, liveness, logger] in
                    var stalled = false
                    while !Task.isCancelled {
                        if let why = liveness.stall(slack: max(usec * 500, 2_000_000_000)) {
                            if !stalled { logger.error("not feeding the watchdog: \(why)") }
                            stalled = true
                        } else {
                            if stalled { logger.info("feeding the watchdog again") }
                            stalled = false
                            notifier.notify("WATCHDOG=1")
                        }
                        try? await Task.sleep(for: .microseconds(usec / 2))
                    }
                }
            }
            var engineRuns = true
            controlLoop: for await c in controls {
                switch c {
                case .reload(let done):
                    done(await reload(&running, services, sink))
                    continue
                case .signal(SIGHUP):
                    _ = await reload(&running, services, sink)
                    continue
                case .signal(let sig):
                    logger.info("received \(sig == SIGTERM ? "SIGTERM" : "SIGINT"), stopping")
                case .ended(let which):
                    logger.error("the \(which) task ended unexpectedly; stopping")
                    engineRuns = which != .engine
                    status = 1
                }
                notifier.notify("STOPPING=1")
                deadline = armShutdownDeadline()
                await onLoop { services.value.scheduler.stopAll() }
                // Without an engine nothing would answer the flush.
                if engineRuns { await withCheckedContinuation { done in sink.yield(.flush(done)) } }
                await onLoop { services.value.dispatcher.stopAll() }
                await audit.drain()
                sink.finish()
                control.finish()
                group.cancelAll()
                break controlLoop  // a second signal during shutdown changes nothing
            }
            // Every child is awaited: none outlives run().
            while await group.next() != nil {}
        }
        await onLoop { services.value.api?.stop() }
        loop.shutdown()
        deadline?.cancel()
        logger.info("healthd stopped")
        return status
    }

    /// Exits the process if the shutdown is not over by `shutdownDeadline`: a hung hook, disk or
    /// child must not keep a stopping daemon alive. Cancelled when the shutdown ends in time.
    private func armShutdownDeadline() -> DispatchWorkItem {
        let item = DispatchWorkItem { [logger] in
            logger.error("shutdown did not finish within \(Self.shutdownDeadline); exiting anyway")
            _exit(1)
        }
        let seconds = Double(Self.shutdownDeadline.components.seconds)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: item)
        return item
    }

    /// The monitor with the last checkpoint's history put back, and its journal's records after it, and whether
    /// that journal goes on (the checkpoint held no probe that is gone or changed kind: those must be dropped by a new
    /// one). A checkpoint that cannot be used is set aside with a warning and history starts empty.
    private func restoredMonitor(_ store: StateStore) -> (monitor: Monitor, journalContinues: Bool) {
        var monitor = Monitor(spec: config.monitorSpec, startedAt: Timestamp(nanoseconds: wallNanos()))
        guard let bytes = store.loadCheckpoint() else { return (monitor, false) }
        // The decoding's temporaries are gone: give their pages back.
        defer { trimMemory() }
        do {
            // Handed over, so that its bytes are let go before the journal's are read.
            let report = try monitor.restore(from: consume bytes, journal: store.loadJournal())
            logger.info("restored history from \(store.checkpointPath): \(report)")
            if let ahead = report.writtenAhead(of: Timestamp(nanoseconds: wallNanos())) {
                logger.warning("the checkpoint was written \(TimeSpan.seconds(ahead.nanoseconds / 1_000_000_000)) ahead of this clock (was it set back?): its history is kept,"
                               + " and new samples, dated before its newest, are recorded beside it")
            }
            if let problem = report.journalProblem {
                if report.journalEnd != nil {
                    logger.warning("\(store.journalPath) ends early: \(problem); the history saved after that is lost")
                } else if report.journalUnreadable {
                    store.setAside(store.journalPath, because: "cannot apply \(store.journalPath): \(problem)")
                } else {
                    logger.info("\(store.journalPath) not applied: \(problem)")
                }
            }
            guard report.dropped.isEmpty, report.kindChanged.isEmpty else { return (monitor, false) }
            store.continueJournal(of: report.base, end: report.journalEnd)
            return (monitor, true)
        } catch {
            store.setAside(store.checkpointPath, because: "cannot restore \(store.checkpointPath): \(error)")
        }
        return (monitor, false)
    }

    /// Socket activation: the listening socket systemd passed as fd 3, if it was passed to us.
    /// The variables are removed so probes and hooks do not think they got it too.
    private func inheritedSocket() -> Int32? {
        defer { for v in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(v) } }
        guard environment["LISTEN_PID"].flatMap(Int32.init) == getpid(),
              let n = environment["LISTEN_FDS"].flatMap(Int.init), n >= 1 else { return nil }
        _ = fcntl(3, F_SETFD, FD_CLOEXEC)
        _ = fcntl(3, F_SETFL, fcntl(3, F_GETFL) | O_NONBLOCK)
        logger.info("using the API socket systemd passed (socket activation)")
        return 3
    }

    /// SIGHUP or the API: read the config again; a bad one is logged and the running one stays.
    /// Returns nil, or why the new config was rejected.
    private func reload(_ running: inout RunningConfig, _ services: LoopBound<LoopServices>,
                        _ sink: AsyncStream<EngineEvent>.Continuation) async -> String? {
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(monotonicNanos() / 1000)")
        defer { notifier.notify("READY=1") }
        let next: Config
        do {
            next = try Config.load(path: configPath)
        } catch {
            logger.error("reload rejected, keeping the running config: \(error)")
            return "\(error)"
        }
        running.epoch += 1
        let old = running.config
        let kept = Set(next.probes.filter { p in old.probes.contains(p) }.map(\.name))
        let epochs = await onLoop { [epoch = running.epoch] in
            let loopSide = services.value
            loopSide.scheduler.apply(next.probes, epoch: epoch)
            loopSide.dispatcher.apply(next.hooks)
            return loopSide.scheduler.epochs
        }
        let restartOnly = [("output", next.output != old.output), ("state", next.state != old.state), ("socket", next.socket != old.socket)]
        for (what, changed) in restartOnly where changed {
            logger.warning("\(what) changed; it takes effect at the next restart")
        }
        logger.redactor.update(next.secrets + old.secrets)
        running.config = next
        liveness.expectResults(within: Self.resultGrace(next))
        sink.yield(.reload(engineSetup(next, epochs: epochs), kept: kept))
        logger.info("reloaded \(configPath): \(next.probes.count) probes, \(kept.count) kept their history")
        return nil
    }

    /// How long results may pause before the daemon counts as stalled: the fastest probe's
    /// interval twice, plus its timeout.
    static func resultGrace(_ c: Config) -> Int64 {
        c.probes.map { 2 * $0.interval.nanoseconds + $0.timeout.nanoseconds }.min() ?? 0
    }

    private func engineSetup(_ c: Config, epochs: [String: Int]) -> EngineSetup {
        EngineSetup(spec: c.monitorSpec, epochs: epochs, interval: c.output.interval, alertRules: c.alerts, silences: c.silences,
                    checkpointInterval: c.state.checkpointInterval)
    }

    /// `socket.max_clients`, or fewer if the descriptors would not leave the probes and hooks theirs.
    private func clientLimit(_ c: Config, descriptorLimit: Int) -> Int {
        let hookSlots = c.hooks.reduce(0) { sum, h in
            switch h.kind {
            case .exec(let e): sum + e.concurrency
            case .webhook: sum + 1
            case .alertmanager(let a): sum + a.endpoints.count
            }
        }
        let budget = DescriptorLimit.clientBudget(limit: descriptorLimit, probes: c.probes.count, hookSlots: hookSlots)
        guard budget < c.socket.maxClients else { return c.socket.maxClients }
        logger.warning("socket: at most \(budget) clients (not \(c.socket.maxClients)): the open-file limit is"
                       + " \(descriptorLimit) and \(c.probes.count) probes and \(hookSlots) hook slots keep theirs (raise LimitNOFILE=)")
        return max(budget, 1)
    }

    /// On the loop: the scheduler with the config's probes, the dispatcher with its hooks, then the
    /// API socket (if configured), which runs probes through the scheduler. Nil when the socket
    /// cannot be opened.
    private func startServices(epoch: Int, engine: AsyncStream<EngineEvent>.Continuation, audit: AuditLog,
                               snapshot: @escaping APISnapshotSource,
                               inherited: Int32?, descriptorLimit: Int) -> LoopBound<LoopServices>? {
        let context = ProbeContext(loop: loop)
        let batcher = ResultBatcher(loop: loop) { engine.yield(.results($0)) }
        let scheduler = Scheduler(context: context, timers: loop, makeAttempt: ProbeFactory().makeAttempt, deliver: batcher.add)
        scheduler.apply(config.probes, epoch: epoch)
        let dispatcher = AlertDispatcher(context: HookContext(probes: context, audit: audit, logger: logger, instance: hostName()))
        dispatcher.apply(config.hooks)
        var api: APIServer?
        if let path = config.output.socket {
            do throws(SystemError) {
                api = try startAPI(config, path: path, inherited: inherited, snapshot: snapshot, engine: engine, audit: audit,
                                   scheduler: scheduler, descriptorLimit: descriptorLimit)
            } catch {
                logger.error("cannot open the API socket \(path): \(error) (does its directory exist and belong to healthd?)")
                return nil
            }
        }
        return LoopBound(LoopServices(scheduler: scheduler, dispatcher: dispatcher, api: api), loop: loop)
    }

    /// On the loop: opens the API socket at `path` (or takes systemd's).
    private func startAPI(_ c: Config, path: String, inherited: Int32?, snapshot: @escaping APISnapshotSource,
                          engine: AsyncStream<EngineEvent>.Continuation,
                          audit: AuditLog, scheduler: Scheduler, descriptorLimit: Int) throws(SystemError) -> APIServer {
        let limits = APIServer.Limits(maxClients: clientLimit(c, descriptorLimit: descriptorLimit), idleTimeout: c.socket.idleTimeout,
                                      requestsPerSecond: c.socket.requestsPerSecond)
        let handlers = APIServer.Handlers(
            engine: { question, peer, reply in engine.yield(.query(question, peer: peer, reply: reply)) },
            runProbe: scheduler.runNow,
            reload: { [control] done in control.yield(.reload(done)) },
            snapshot: snapshot,
            audit: audit)
        let access = APIAccess(adminGroup: c.socket.adminGroup)
        if let group = c.socket.adminGroup, access.adminGID == nil {
            logger.warning("socket.admin_group \"\(group)\" does not exist: only root and healthd's user may act (create it with groupadd)")
        }
        let server = APIServer(loop: loop, path: path, inherited: inherited, logger: logger,
                               limits: limits, access: access, userNames: UserNames(), handlers: handlers)
        try server.start(group: c.socket.group)
        return server
    }

    /// Runs `body` on the loop thread and returns its result.
    private func onLoop<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in loop.execute { c.resume(returning: body()) } }
    }
}
