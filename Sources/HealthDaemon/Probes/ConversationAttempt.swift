import HealthConfig
import HealthCore

/// What a byte-level protocol conversation asks of its connection next.
enum ConversationStep {
    case send([UInt8])
    case wait
    /// Over: write `farewell` (best effort), close, report.
    case done(ProbeOutcome, farewell: [UInt8] = [])
}

/// A probe's protocol as a pure value: bytes in, steps out (the PostgreSQL and Redis clients).
protocol ProbeConversation {
    mutating func start() -> ConversationStep
    mutating func receive(_ bytes: UnsafeRawBufferPointer) -> ConversationStep
    mutating func closed() -> ConversationStep
}

/// Runs a conversation over a non-blocking connection to `host:port`.
final class ConversationAttempt<C: ProbeConversation>: ProbeAttempt {
    private let connection: StreamConnection
    private let host: String
    private let port: UInt16
    private var conversation: C
    private var finish: ((ProbeOutcome) -> Void)?

    init(context: ProbeContext, host: String, port: UInt16, conversation: C) {
        self.connection = StreamConnection(context: context)
        self.host = host
        self.port = port
        self.conversation = conversation
    }

    func start(_ finish: @escaping (ProbeOutcome) -> Void) {
        self.finish = finish
        // Weak: finishing releases the attempt while the connection is still unwinding.
        connection.onBytes = { [weak self] bytes in
            guard let self else { return false }
            return perform(conversation.receive(bytes))
        }
        connection.onClose = { [weak self] failure in
            guard let self else { return }
            if let failure { return done(.failure(failure)) }
            _ = perform(conversation.closed())
        }
        connection.connect(host: host, port: port) { [weak self] failure in
            guard let self else { return }
            if let failure { return done(.failure(failure)) }
            _ = perform(conversation.start())
        }
    }

    func abort() { connection.close() }

    /// Carries out a step; false once the conversation is over.
    private func perform(_ step: ConversationStep) -> Bool {
        switch step {
        case .send(let bytes):
            connection.send(bytes)
            return true
        case .wait:
            return true
        case .done(let outcome, let farewell):
            if !farewell.isEmpty { connection.send(farewell) }
            done(outcome)
            return false
        }
    }

    private func done(_ outcome: ProbeOutcome) {
        connection.close()
        finish?(outcome)
        finish = nil
    }
}
