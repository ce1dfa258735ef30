import HealthCore
import HealthProtocols
import HealthSys

/// `exec`: a Nagios-style check program, run without a shell. Exit 0 ⇒ healthy, 1 ⇒ degraded,
/// 2 ⇒ down, anything else ⇒ failed (`exec`). The first line of stdout is the message and the
/// first perfdata value becomes the sample's value. On timeout its whole process group is killed.
final class ExecAttempt: ProbeAttempt {
    private let context: ProbeContext
    private let argv: [String]
    private var process: ChildProcess?

    init(context: ProbeContext, argv: [String]) {
        self.context = context
        self.argv = argv
    }

    func start(_ finish: @escaping (ProbeOutcome) -> Void) {
        do {
            process = try ChildProcess(argv: argv, loop: context.loop) { exit in finish(Self.outcome(exit)) }
        } catch {
            finish(.failure(ProbeFailure(.exec, "cannot run \(argv[0]): \(error)")))
        }
    }

    func abort() { process?.killGroup() }

    static func outcome(_ exit: ChildProcess.Exit) -> ProbeOutcome {
        let output = NagiosOutput(parsing: exit.stdout)
        let stderr = NagiosOutput(parsing: exit.stderr).message
        let message = output.message.isEmpty ? stderr : output.message
        guard let code = exit.code else {
            return .failure(ProbeFailure(.exec, "killed by signal \(exit.signal ?? 0)"))
        }
        let value = output.perfdata.first?.value
        switch NagiosStatus(exitCode: code) {
        case .ok: return .success(value: value, reported: .healthy, message: message)
        case .warning: return .success(value: value, reported: .degraded, message: message)
        case .critical: return .success(value: value, reported: .down, message: message)
        case .unknown:
            return .failure(ProbeFailure(.exec, "exit \(code)" + (message.isEmpty ? "" : ": \(message)")))
        }
    }
}
