import HealthConfig
import HealthCore
import HealthProtocols

/// `redis`: AUTH and SELECT as configured, then one read-only command (PING by default) — the
/// pure `RedisProbeStateMachine` and RESP parser turned into conversation steps.
struct RedisConversation: ProbeConversation {
    private let check: RedisCheck
    private var machine: RedisProbeStateMachine
    private var parser = RESPParser()
    private var buffer: [UInt8] = []

    init(check: RedisCheck) {
        self.check = check
        self.machine = RedisProbeStateMachine(username: check.user, password: check.password, database: check.database,
                                              command: check.command, infoField: check.field)
    }

    mutating func start() -> ConversationStep { step(machine.start()) }
    mutating func closed() -> ConversationStep { step(machine.connectionClosed()) }

    mutating func receive(_ bytes: UnsafeRawBufferPointer) -> ConversationStep {
        buffer.append(contentsOf: bytes)
        do throws(RESPError) {
            while let value = try parser.next(from: &buffer) {
                let next = step(machine.receive(value))
                if case .wait = next { continue }  // an out-of-band push: keep reading
                return next
            }
            return .wait
        } catch {
            return step(machine.parseFailed(error))
        }
    }

    private func step(_ action: RedisProbeStateMachine.Action) -> ConversationStep {
        switch action {
        case .send(let bytes): .send(bytes)
        case .wait: .wait
        case .finished(let r):
            .done(.success(ProbeReading(value: r.value, message: r.message,
                                        noData: r.value == nil && check.command.first?.uppercased() == "GET")))
        case .failed(let e): .done(.failure(ProbeFailure(e.category == .auth ? .auth : .protocol, e.message)))
        }
    }
}
