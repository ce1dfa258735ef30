import HealthCore
@testable import HealthDaemon

/// An engine on a manual clock, its outputs recorded with the monotonic time they came at, and
/// probes that answer what the test says, each `probeInterval`, while `run` ticks the engine as
/// the daemon's ticker does.
final class EngineRig {
    enum Answer {
        case ok(latencyMs: Double)
        case fail
    }

    /// What the engine handed out; `at` is nanoseconds since the rig started.
    final class Record {
        var publishes: [(at: Int64, snapshot: Snapshot, page: Bool)] = []
        var checkpoints: [(at: Int64, bytes: [UInt8])] = []
        /// Every save, checkpoint or journal record, in order.
        var saves: [(at: Int64, kind: CheckpointStream.Kind, bytes: Int)] = []
        /// The last checkpoint's journal: its header and every record since, as `StateStore` keeps it.
        var journal: [UInt8]?
        /// What the rig says the store needs next, besides a checkpoint when there is no journal.
        var journalFull = false
        /// The checkpoint or record being written, its header's room still zeros; how many were abandoned.
        var writing: [UInt8]?
        var writingKind = CheckpointStream.Kind.checkpoint
        var abandoned = 0
        /// What the rig says is still being written: the engine must wait while it is not 0.
        var backlog = 0
        /// `event:subject:level`, `quiet ` first for what only stateful hooks hear.
        var notifications: [(at: Int64, text: String)] = []
        var steps: [TimeSpan] = []
        /// Alert progress as last saved to state.json.
        var savedAlerts: [SavedAlert] = []
    }

    let clock = ManualClock()
    let record = Record()
    let engine: Engine
    /// What each probe answers at its next report.
    var answers: [String: Answer]
    let probeInterval: TimeSpan
    private let start: Int64
    private var nextReport: Int64

    init(probes: [ProbeRules], rules: [AlertRule] = [], silences: [Silence] = [], saved: [SavedAlert] = [],
         monitor: Monitor? = nil, interval: TimeSpan = .seconds(10), checkpointInterval: TimeSpan = .minutes(1),
         checkpointPieceBytes: Int = 4 << 20, journalContinues: Bool = false) {
        let setup = EngineSetup(spec: MonitorSpec(probes: probes), epochs: Dictionary(uniqueKeysWithValues: probes.map { ($0.name, 1) }),
                                interval: interval, alertRules: rules, silences: silences, checkpointInterval: checkpointInterval)
        let (clock, record) = (clock, record)
        let start = clock.monotonic
        func since() -> Int64 { clock.monotonic - start }
        let outputs = EngineOutputs(
            publish: { snapshot, page, _ in record.publishes.append((since(), snapshot, page != nil)) },
            checkpoint: CheckpointWriting(
                begin: { kind, headerSize in
                    record.writing = [UInt8](repeating: 0, count: headerSize)
                    record.writingKind = kind
                },
                append: { record.writing? += $0 },
                backlog: { record.backlog },
                finish: { header, last, trailer in
                    guard var file = record.writing else { return }
                    file.replaceSubrange(0..<header.count, with: header)
                    file += last + trailer
                    record.saves.append((since(), record.writingKind, file.count))
                    record.writing = nil
                    guard record.writingKind == .checkpoint else { return record.journal! += file }
                    record.checkpoints.append((since(), file))
                    record.journal = Journal.header(for: Journal.Base(checkpoint: file)!)
                    record.journalFull = false
                },
                abandon: { record.writing = nil; record.abandoned += 1 },
                needsCheckpoint: { record.journal == nil || record.journalFull }),
            saveState: { record.savedAlerts = $1 },
            drain: {},
            healthChanged: { _ in },
            notify: { due in
                record.notifications += due.map {
                    (since(), ($0.quiet ? "quiet " : "") + "\($0.alert.event.rawValue):\($0.alert.subject.name):\($0.alert.level)")
                }
            },
            runProbe: { _ in },
            wallClockStepped: { record.steps.append($0) })
        engine = Engine(setup, monitor: monitor ?? Monitor(spec: setup.spec, startedAt: clock.now), saved: ([], saved),
                        outputs: outputs, clock: clock, checkpointPieceBytes: checkpointPieceBytes,
                        journalContinues: journalContinues)
        answers = Dictionary(uniqueKeysWithValues: probes.map { ($0.name, Answer.ok(latencyMs: 5)) })
        probeInterval = probes.first?.interval ?? .seconds(10)
        (self.start, nextReport) = (start, start)
    }

    /// Probe `a` failing from the start, an alert rule on it going down, and a silence over `a` from a minute
    /// before the rig's start until `end` after it.
    static func silencedFailure(until end: TimeSpan) -> EngineRig {
        let start = ManualClock().now
        let silence = Silence(id: "config-1", matchers: ["a"], schedule: .once(start: start - .minutes(1), end: start + end),
                              reason: "maintenance", createdBy: "config")
        let rig = EngineRig(probes: [probe("a")], rules: [AlertRule(probes: ["a"], minLevel: .down, hooks: ["ops"])], silences: [silence])
        rig.answers["a"] = .fail
        return rig
    }

    /// Time since the rig started.
    var elapsed: TimeSpan { TimeSpan(nanoseconds: clock.monotonic - start) }

    /// Reports one sample of `name`, now, as the scheduler would.
    func report(_ name: String, _ answer: Answer) async {
        let time = clock.now
        let sample = switch answer {
        case .ok(let latency): Sample(time: time, latencyMs: latency)
        case .fail: Sample(time: time, latencyMs: 1, failure: ProbeFailure(.refused, "connection refused"))
        }
        await engine.handle(.results([ProbeResult(name: name, epoch: 1, sample: sample)]))
    }

    /// Lets `span` pass: every probe reports its answer each `probeInterval`, and the engine gets a
    /// tick each `tick`.
    func run(_ span: TimeSpan, tick: TimeSpan = .milliseconds(100)) async {
        let end = clock.monotonic + span.nanoseconds
        while clock.monotonic < end {
            clock.advance(tick)
            while clock.monotonic >= nextReport {
                for name in answers.keys.sorted() { await report(name, answers[name]!) }
                nextReport += probeInterval.nanoseconds
            }
            await engine.handle(.tick)
        }
    }

    /// Notifications after `since` (nanoseconds since the start), as text.
    func notified(after since: Int64 = -1) -> [String] { record.notifications.filter { $0.at > since }.map(\.text) }
}
