import HealthConfig
import HealthCore
import HealthTLS

/// What a byte-level protocol conversation asks of its connection next.
enum ConversationStep {
    case send([UInt8])
    case wait
    /// Run the TLS handshake on the connection now (PostgreSQL's SSLRequest answered 'S').
    case startTLS
    /// Start over on a new connection: a fallback the protocol allows (libpq's `prefer`, `allow`).
    case retry
    /// Over: write `farewell` (best effort), close, report.
    case done(ProbeOutcome, farewell: [UInt8] = [])
}

/// A probe's protocol as a pure value: bytes in, steps out (the PostgreSQL and Redis clients).
protocol ProbeConversation {
    mutating func start() -> ConversationStep
    mutating func receive(_ bytes: UnsafeRawBufferPointer) -> ConversationStep
    mutating func closed() -> ConversationStep
    /// The handshake `.startTLS` asked for completed.
    mutating func tlsEstablished(_ certificate: TLSClientSession.ServerCertificate?) -> ConversationStep
    /// The handshake `.startTLS` asked for failed.
    mutating func tlsFailed(_ failure: ProbeFailure) -> ConversationStep
}

extension ProbeConversation {
    mutating func tlsEstablished(_ certificate: TLSClientSession.ServerCertificate?) -> ConversationStep {
        .done(.failure(ProbeFailure(.protocol, "TLS started where the protocol has none")))
    }

    mutating func tlsFailed(_ failure: ProbeFailure) -> ConversationStep { .done(.failure(failure)) }
}

/// How a conversation's connection uses TLS.
struct TLSPlan {
    var settings: TLSSettings
    /// Handshake right after connecting (`rediss://`) rather than when the protocol asks.
    var atStart: Bool
}

/// Runs a conversation over a non-blocking connection to `host:port`.
final class ConversationAttempt<C: ProbeConversation>: ProbeAttempt {
    /// A fallback is one more connection; never a loop, whatever the conversation asks.
    static var maxConnections: Int { 2 }

    private let context: ProbeContext
    private var connection: StreamConnection
    private var connections = 0
    private let host: String
    private let port: UInt16
    private let tls: TLSPlan?
    private var conversation: C
    private var finish: ((ProbeOutcome) -> Void)?

    init(context: ProbeContext, host: String, port: UInt16, tls: TLSPlan? = nil, conversation: C) {
        self.context = context
        self.connection = StreamConnection(context: context)
        self.host = host
        self.port = port
        self.tls = tls
        self.conversation = conversation
    }

    var connectionFacts: ConnectionFacts { ConnectionFacts(connection) }

    func start(_ finish: @escaping (ProbeOutcome) -> Void) {
        self.finish = finish
        connect()
    }

    func abort() { connection.close() }

    private func connect() {
        connections += 1
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
        connection.open(host: host, port: port, tls: tls.flatMap { $0.atStart ? $0.settings : nil }) { [weak self] failure in
            guard let self else { return }
            if let failure { return done(.failure(failure)) }
            _ = perform(conversation.start())
        }
    }

    /// The handshake the conversation asked for; its end goes back to the conversation.
    private func startTLS() {
        guard let tls else { return done(.failure(ProbeFailure(.tls, "the server wants TLS, and no TLS is configured"))) }
        do throws(ProbeFailure) {
            try connection.startTLS(tls.settings, host: host) { [weak self] failure in
                guard let self else { return }
                _ = perform(failure.map { conversation.tlsFailed($0) } ?? conversation.tlsEstablished(connection.serverCertificate))
            }
        } catch {
            done(.failure(error))
        }
    }

    /// Carries out a step; false once the conversation is over (or moved to a new connection).
    private func perform(_ step: ConversationStep) -> Bool {
        switch step {
        case .send(let bytes):
            connection.send(bytes)
            return true
        case .wait:
            return true
        case .startTLS:
            startTLS()
            return true
        case .retry:
            connection.close()
            guard connections < Self.maxConnections else {
                done(.failure(ProbeFailure(.protocol, "gave up after \(connections) connections")))
                return false
            }
            connection = StreamConnection(context: context)
            connect()
            return false
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
