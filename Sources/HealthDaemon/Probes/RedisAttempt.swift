import HealthConfig
import HealthCore
import HealthProtocols

/// `redis`: AUTH and SELECT as configured, then one read-only command (PING by default), driven
/// by the pure `RedisProbeStateMachine` over a non-blocking connection.
final class RedisAttempt: ProbeAttempt {
    private let connection: StreamConnection
    private let check: RedisCheck
    private var machine: RedisProbeStateMachine
    private var parser = RESPParser()
    private var buffer: [UInt8] = []
    private var finish: ((ProbeOutcome) -> Void)?

    init(context: ProbeContext, check: RedisCheck) {
        self.connection = StreamConnection(context: context)
        self.check = check
        self.machine = RedisProbeStateMachine(username: check.user, password: check.password, database: check.database,
                                              command: check.command, infoField: check.field)
    }

    func start(_ finish: @escaping (ProbeOutcome) -> Void) {
        self.finish = finish
        connection.onBytes = { [weak self] bytes in
            guard let self else { return false }
            buffer.append(contentsOf: bytes)
            do throws(RESPError) {
                while let value = try parser.next(from: &buffer) {
                    if handle(machine.receive(value)) == false { return false }
                }
            } catch {
                return handle(machine.parseFailed(error))
            }
            return true
        }
        connection.onClose = { [weak self] failure in
            guard let self else { return }
            if let failure { return done(.failure(failure)) }
            _ = handle(machine.connectionClosed())
        }
        connection.connect(host: check.endpoint.host, port: check.endpoint.port) { [weak self] failure in
            guard let self else { return }
            if let failure { return done(.failure(failure)) }
            _ = handle(machine.start())
        }
    }

    func abort() { connection.close() }

    /// Carries out an action; false once the conversation is over.
    private func handle(_ action: RedisProbeStateMachine.Action) -> Bool {
        switch action {
        case .send(let bytes):
            connection.send(bytes)
            return true
        case .wait:
            return true
        case .finished(let r):
            done(.success(ProbeReading(value: r.value, message: r.message, noData: r.value == nil && check.command.first?.uppercased() == "GET")))
            return false
        case .failed(let e):
            done(.failure(ProbeFailure(e.category == .auth ? .auth : .protocol, e.message)))
            return false
        }
    }

    private func done(_ outcome: ProbeOutcome) {
        connection.close()
        finish?(outcome)
        finish = nil
    }
}
