import Foundation
import HealthConfig
import HealthCore
import HealthSys

/// healthd's main: one top-level task group (engine, ticker, signals, watchdog), an event loop
/// thread for all probe and socket I/O, and a clean shutdown that writes a final snapshot.
public final class Daemon: @unchecked Sendable {
    private let configPath: String
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let environment: [String: String]
    private let loop: EventLoop
    // Loop-confined.
    private var scheduler: Scheduler!
    private var api: APIServer?
    private var dispatcher: AlertDispatcher!
    private let factory = ProbeFactory()
    // Engine-task-confined.
    private var config: Config
    private var epoch = 1

    public init(configPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.configPath = configPath
        self.environment = environment
        self.logger = Logger(environment: environment)
        self.notifier = SystemdNotifier(environment: environment)
        self.config = try Config.load(path: configPath)
        self.loop = try EventLoop()
    }

    /// Runs until SIGTERM or SIGINT; returns the exit status.
    public func run() async -> Int32 {
        let signals = Signals.stream([SIGTERM, SIGINT, SIGHUP])
        for (what, dir) in [("output.dir", config.output.dir), ("state.dir", config.state.dir)] {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                logger.error("cannot create \(what) \(dir): \(error.localizedDescription) (set \(what) to a directory healthd may write)")
                return 1
            }
        }
        logger.redactor.update(config.secrets)
        let audit = AuditLog(dir: config.state.dir, maxBytes: config.state.auditMaxBytes, files: config.state.auditFiles, logger: logger)
        let (events, sink) = AsyncStream<EngineEvent>.makeStream()
        let publisher = Publisher(dir: config.output.dir, logger: logger) { [loop, unowned self] json, changed in
            loop.execute { self.api?.update(json, changed: changed) }
        }
        loop.start()
        let started: Bool = await onLoop { [self] in
            let context = ProbeContext(loop: loop)
            let batcher = ResultBatcher(loop: loop) { sink.yield(.results($0)) }
            scheduler = Scheduler(context: context, makeAttempt: factory.makeAttempt, deliver: batcher.add)
            scheduler.apply(config.probes, epoch: epoch)
            dispatcher = AlertDispatcher(context: HookContext(probes: context, audit: audit, logger: logger, instance: hostName()))
            dispatcher.apply(config.hooks)
            return startAPI(config.output.socket, spec: config.monitorSpec, engine: sink)
        }
        guard started else {
            loop.shutdown()
            return 1
        }
        let setup = engineSetup(config, epochs: await onLoop { self.scheduler.epochs })
        logger.info("healthd started: \(config.probes.count) probes, snapshots in \(config.output.dir)" +
                    (config.output.socket.map { ", socket \($0)" } ?? ""))
        notifier.notify("READY=1\nSTATUS=evaluating \(config.probes.count) probes")

        await withTaskGroup(of: Void.self) { group in
            group.addTask { [notifier, loop] in
                let engine = Engine(setup, publisher: publisher, onHealthChange: { health in
                    notifier.notify("STATUS=system \(health)")
                }, notify: { [loop, unowned self] due in
                    loop.execute { self.dispatcher.dispatch(due) }
                })
                await engine.run(events)
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                    sink.yield(.tick)
                }
            }
            if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0 {
                group.addTask { [notifier] in
                    while !Task.isCancelled {
                        notifier.notify("WATCHDOG=1")
                        try? await Task.sleep(for: .microseconds(usec / 2))
                    }
                }
            }
            for await sig in signals {
                if sig == SIGHUP {
                    await reload(sink)
                    continue
                }
                logger.info("received \(sig == SIGTERM ? "SIGTERM" : "SIGINT"), stopping")
                notifier.notify("STOPPING=1")
                await onLoop { self.scheduler.stopAll() }
                await withCheckedContinuation { done in sink.yield(.flush(done)) }
                await onLoop { self.dispatcher.stopAll() }
                await audit.drain()
                sink.finish()
                group.cancelAll()
                break
            }
        }
        await onLoop { self.api?.stop() }
        loop.shutdown()
        logger.info("healthd stopped")
        return 0
    }

    /// SIGHUP: read the config again; a bad one is logged and the running one stays.
    private func reload(_ sink: AsyncStream<EngineEvent>.Continuation) async {
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(monotonicNanos() / 1000)")
        defer { notifier.notify("READY=1") }
        let next: Config
        do {
            next = try Config.load(path: configPath)
        } catch {
            logger.error("reload rejected, keeping the running config: \(error)")
            return
        }
        epoch += 1
        let old = config
        let kept = Set(next.probes.filter { p in old.probes.contains(p) }.map(\.name))
        let socketChanged = next.output.socket != old.output.socket
        let epochs = await onLoop { [self, epoch] in
            scheduler.apply(next.probes, epoch: epoch)
            dispatcher.apply(next.hooks)
            if socketChanged {
                api?.stop()
                _ = startAPI(next.output.socket, spec: next.monitorSpec, engine: sink)
            }
            return scheduler.epochs
        }
        for (what, changed) in [("output.dir", next.output.dir != old.output.dir), ("state", next.state != old.state)] where changed {
            logger.warning("\(what) changed; it takes effect at the next restart")
        }
        logger.redactor.update(next.secrets + old.secrets)
        config = next
        sink.yield(.reload(engineSetup(next, epochs: epochs), kept: kept))
        logger.info("reloaded \(configPath): \(next.probes.count) probes, \(kept.count) kept their history")
    }

    private func engineSetup(_ c: Config, epochs: [String: Int]) -> EngineSetup {
        EngineSetup(spec: c.monitorSpec, epochs: epochs, interval: c.output.interval, alertRules: c.alerts, silences: c.silences)
    }

    /// Loop-confined: opens the API socket if configured. False when it cannot.
    private func startAPI(_ path: String?, spec: MonitorSpec, engine: AsyncStream<EngineEvent>.Continuation) -> Bool {
        api = nil
        guard let path else { return true }
        // Until the engine publishes, answer with the all-pending snapshot rather than nothing.
        let initial = Monitor(spec: spec).snapshot(now: Timestamp(nanoseconds: wallNanos()))
        let server = APIServer(loop: loop, path: path, logger: logger, initial: Array((initial.json() + "\n").utf8)) { request, reply in
            engine.yield(.query(request, reply: reply))
        }
        do {
            try server.start()
            api = server
            return true
        } catch {
            logger.error("cannot open the API socket \(path): \(error) (does its directory exist and belong to healthd?)")
            return false
        }
    }

    /// Runs `body` on the loop thread and returns its result.
    private func onLoop<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in loop.execute { c.resume(returning: body()) } }
    }
}
