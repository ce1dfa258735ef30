import HealthCore

/// `tcp`: the connection is the check; latency is the connect time.
final class TCPAttempt: ProbeAttempt {
    private let connection: StreamConnection
    private let host: String
    private let port: UInt16

    init(context: ProbeContext, host: String, port: UInt16) {
        self.connection = StreamConnection(context: context)
        self.host = host
        self.port = port
    }

    func start(_ finish: @escaping (ProbeOutcome) -> Void) {
        connection.connect(host: host, port: port) { [connection] failure in
            connection.close()
            finish(failure.map(ProbeOutcome.failure) ?? .ok)
        }
    }

    func abort() { connection.close() }

    var connectionFacts: ConnectionFacts { ConnectionFacts(connection) }
}
