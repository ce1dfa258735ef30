import HealthProtocols

/// Server bytes played into a whole probe conversation, then EOF, and the result read as a number,
/// under two configurations: plain text with every authentication method allowed, and TLS
/// negotiation (the handshake pretended, so SCRAM-SHA-256-PLUS is on offer) with a details query.
/// The nonce and password are those of the session tests, so the recorded SCRAM exchange in the
/// corpus gets all the way through.
enum PostgresSessionFuzz {
    static let nonce = "rOprNGfwEbeRWgbNEkqO"

    static let plain = PostgresConfiguration(
        user: "postgres", password: "pencil", database: "app", transport: .plain,
        authPolicy: PostgresAuthPolicy(allowing: Set(PostgresAuthPolicy.Method.allCases)),
        maxSCRAMIterations: 4096)

    static let tls = PostgresConfiguration(
        user: "postgres", password: "pencil", database: "app", transport: .negotiateTLS(fallbackToPlain: true),
        detailsQuery: "SELECT ticket_id FROM t", detailsRowLimit: 3, maxSCRAMIterations: 4096)

    static func run(_ input: [UInt8]) -> FuzzOutcome {
        var outcome = FuzzOutcome()
        // Over plain text the outcome cannot depend on the split. With TLS it may: bytes that
        // arrive in the same read as the 'S' are refused (they were not encrypted).
        let whole = converse([input[...]], plain, into: &outcome)
        let split = converse(Chunks.split(input), plain, into: &outcome)
        outcome.expect(whole == split, "plain: whole \(whole), split \(split)")
        _ = converse(Chunks.split(input), tls, into: &outcome)
        return outcome
    }

    /// The outcome once the server closed the connection.
    private static func converse(
        _ chunks: [ArraySlice<UInt8>], _ configuration: PostgresConfiguration, into outcome: inout FuzzOutcome
    ) -> PostgresProbeSession.Action {
        var session = PostgresProbeSession(configuration: configuration, nonceGenerator: { nonce })
        var end: PostgresProbeSession.Action?
        func handle(_ action: PostgresProbeSession.Action) {
            switch action {
            case .send(let bytes): outcome.outputSize += bytes.count
            case .wait: break
            case .startTLS: handle(session.tlsEstablished(endPointHash: Array(repeating: 0xAB, count: 32)))
            case .finished, .failed: end = action
            }
        }
        handle(session.start())
        for chunk in chunks where end == nil { handle(session.receive(chunk)) }
        if end == nil { handle(session.connectionClosed()) }
        guard let end else {
            outcome.violations.append("\(configuration.transport): no outcome after EOF")
            return .wait
        }
        outcome.outputSize += "\(end)".utf8.count
        if case .finished(let result, _) = end {
            outcome.outputSize += result.details.joined().reduce(0) { $0 + $1.column.utf8.count + ($1.value?.utf8.count ?? 0) }
            // The probe's value, as the daemon reads it from the server's text.
            if case .failure(let error) = result.numericValue() { outcome.outputSize += error.description.utf8.count }
        }
        // Once over, the conversation stays over: the same outcome, nothing more to write.
        let again = session.receive([0x5A, 0, 0, 0, 5, 0x49])
        switch (end, again) {
        case (.finished(let a, _), .finished(let b, let farewell)):
            outcome.expect(a == b && farewell.isEmpty, "after the end: \(again)")
        case (.failed(let a, _), .failed(let b, let farewell)):
            outcome.expect(a == b && farewell.isEmpty, "after the end: \(again)")
        default:
            outcome.violations.append("after \(end), a message gave \(again)")
        }
        return end
    }
}
