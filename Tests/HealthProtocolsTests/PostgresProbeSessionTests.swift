import Testing

@testable import HealthProtocols

private typealias Action = PostgresConnectionStateMachine.Action

/// Plays the server's bytes into a session: everything the session wrote, and its outcome (nil if it
/// still waits after the last chunk and `closeAtEnd` is false).
private func drive(
    _ configuration: PostgresConfiguration, nonce: String = "rOprNGfwEbeRWgbNEkqO", server: [ArraySlice<UInt8>],
    closeAtEnd: Bool = false
) -> (sent: [UInt8], outcome: Action?) {
    var session = PostgresProbeSession(configuration: configuration, nonceGenerator: { nonce })
    var sent: [UInt8] = []
    func handle(_ action: Action) -> Action? {
        switch action {
        case .send(let bytes):
            sent += bytes
            return nil
        case .wait:
            return nil
        default:
            return action
        }
    }
    if let outcome = handle(session.start()) { return (sent, outcome) }
    for chunk in server {
        if let outcome = handle(session.receive(chunk)) { return (sent, outcome) }
    }
    return (sent, closeAtEnd ? session.connectionClosed() : nil)
}

private let startup = PGWire.startup([
    ("user", "postgres"), ("database", "app"), ("application_name", "healthd"), ("client_encoding", "UTF8"),
])

/// After authentication: parameters, key, ReadyForQuery.
private let setupBytes =
    PGWire.parameterStatus("server_version", "16.3") + PGWire.backendKeyData(4242, [1, 2, 3, 4])
    + PGWire.readyForQueryIdle

/// `SELECT 1` answered, plus a NoticeResponse in the middle.
private let selectOneBytes =
    PGWire.commandComplete("BEGIN") + PGWire.rowDescription([("?column?", 23)])
    + PGWire.frame("N", [0x53] + PGWire.cString("NOTICE") + [0x4D] + PGWire.cString("hi") + [0])
    + PGWire.dataRow(["1"]) + PGWire.commandComplete("SELECT 1") + PGWire.commandComplete("ROLLBACK")
    + PGWire.readyForQueryIdle

private let selectOneResult = PostgresResult(
    value: "1", typeOID: 23, columnName: "?column?", hasRows: true, rowCount: 1, commandTag: "SELECT 1",
    serverParameters: ["server_version": "16.3"], backendProcessID: 4242)

/// A server answers only after the client wrote: each turn is what it sends after one client message.
/// Every turn is split in two at every offset (the others whole), then everything goes byte by byte.
private func turnSplits(_ turns: [[UInt8]]) -> [[ArraySlice<UInt8>]] {
    var result: [[ArraySlice<UInt8>]] = []
    for (index, turn) in turns.enumerated() {
        for cut in 0...turn.count {
            var chunks = turns.map { $0[...] }
            chunks.replaceSubrange(index...index, with: [turn[0..<cut], turn[cut...]])
            result.append(chunks)
        }
    }
    result.append(turns.flatMap { $0 }.indices.map { i in turns.flatMap { $0 }[i...i] })
    return result
}

@Test("sslmode=prefer, 'N', MD5: the same conversation however the server's bytes are split")
func pgSessionEverySplit() {
    let configuration = PostgresConfiguration(user: "postgres", password: "secret", database: "app", transport: .negotiateTLS(fallbackToPlain: true))
    let turns: [[UInt8]] = [
        [0x4E], PGWire.authentication(5, [1, 2, 3, 4]), PGWire.authenticationOk + setupBytes, selectOneBytes,
    ]
    let expectedSent =
        PGWire.sslRequest + startup + PGWire.password("md5bb41a296aab6baccb36ff243a562abff") + PGWire.readOnlyQuery("SELECT 1")
    for chunks in turnSplits(turns) {
        let (sent, outcome) = drive(configuration, server: chunks)
        #expect(sent == expectedSent, "split \(chunks.map(\.count))")
        #expect(outcome == .finished(selectOneResult, farewell: PGWire.terminate), "split \(chunks.map(\.count))")
    }
}

@Test("SCRAM-SHA-256 over bytes, whole and byte by byte")
func pgSessionSCRAM() {
    let configuration = PostgresConfiguration(user: "postgres", password: "pencil", database: "app", transport: .plain)
    let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    let turns: [[UInt8]] = [
        PGWire.authentication(10, PGWire.cString("SCRAM-SHA-256") + [0]),
        PGWire.authentication(11, Array(serverFirst.utf8)),
        PGWire.authentication(12, Array("v=\(pgSCRAMServerSignature)".utf8)) + PGWire.authenticationOk + setupBytes,
        selectOneBytes,
    ]
    let expectedSent =
        startup + PGWire.saslInitialResponse("SCRAM-SHA-256", "n,,n=,r=rOprNGfwEbeRWgbNEkqO")
        + PGWire.saslResponse(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=\(pgSCRAMProof)")
        + PGWire.readOnlyQuery("SELECT 1")
    let all = turns.flatMap { $0 }
    for chunks in [turns.map { $0[...] }, all.indices.map { all[$0...$0] }] {
        let (sent, outcome) = drive(configuration, server: chunks)
        #expect(sent == expectedSent)
        #expect(outcome == .finished(selectOneResult, farewell: PGWire.terminate))
    }
}

@Test("the outcome wins over writes still pending from the same read")
func pgSessionOutcomeWins() {
    // A server that does not wait for the password before failing: the password is not written.
    var session = PostgresProbeSession(
        configuration: PostgresConfiguration(user: "postgres", password: "secret", transport: .plain))
    _ = session.start()
    let action = session.receive(
        PGWire.authentication(3) + PGWire.errorResponse([("S", "FATAL"), ("C", "28P01"), ("M", "no")]))
    guard case .failed(let error, let farewell) = action else {
        Issue.record("expected a failure, got \(action)")
        return
    }
    #expect(error.code == .auth)
    #expect(farewell.isEmpty)
}

struct PGSessionFailureCase: Sendable, CustomTestStringConvertible {
    var name: String
    var transport: PostgresConfiguration.Transport
    var server: [UInt8]
    var closeAtEnd = false
    var code: PostgresError.Code
    var contains: String
    var testDescription: String { name }
}

private let sessionFailures: [PGSessionFailureCase] = [
    PGSessionFailureCase(
        name: "an HTTP server", transport: .plain, server: Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8),
        code: .protocol,
        contains: "protocol error during startup: CopyOutResponse ('H') message length 1414811695 exceeds the limit"),
    PGSessionFailureCase(
        name: "an HTTP server answering SSLRequest", transport: .negotiateTLS(fallbackToPlain: true), server: Array("HTTP/1.1 400".utf8),
        code: .protocol,
        contains: "protocol error during SSL negotiation: unexpected answer to SSLRequest: byte 0x48 ('H')"),
    PGSessionFailureCase(
        name: "an SSH server", transport: .plain, server: Array("SSH-2.0-OpenSSH_9.6\r\n".utf8), code: .protocol,
        contains: "ParameterStatus ('S') message length 1397239090 exceeds the limit"),
    PGSessionFailureCase(
        name: "'N' to SSLRequest with sslmode=require", transport: .negotiateTLS(fallbackToPlain: false), server: [0x4E], code: .tlsUnavailable,
        contains: "sslmode requires it"),
    PGSessionFailureCase(
        name: "EOF in the middle of a message", transport: .plain, server: [0x52, 0, 0, 0], closeAtEnd: true,
        code: .connectionClosed, contains: "in the middle of a message (4 bytes buffered)"),
    PGSessionFailureCase(
        name: "EOF between messages", transport: .plain, server: PGWire.authenticationOk, closeAtEnd: true,
        code: .connectionClosed, contains: "before it was ready for queries"),
    PGSessionFailureCase(
        name: "negative length", transport: .plain, server: [0x52, 0xFF, 0xFF, 0xFF, 0xF0], code: .protocol,
        contains: "negative length (-16)"),
    PGSessionFailureCase(
        name: "28P01", transport: .plain,
        server: PGWire.authentication(3)
            + PGWire.errorResponse([
                ("S", "FATAL"), ("C", "28P01"), ("M", "password authentication failed for user \"postgres\""),
            ]),
        code: .auth, contains: "FATAL 28P01: password authentication failed"),
]

@Test("failures over bytes", arguments: sessionFailures)
func pgSessionFailures(_ testCase: PGSessionFailureCase) {
    let configuration = PostgresConfiguration(
        user: "postgres", password: "secret", database: "app", transport: testCase.transport,
        authPolicy: PostgresAuthPolicy(allowing: Set(PostgresAuthPolicy.Method.allCases)))
    for chunks in pgSplits(testCase.server) {
        let (_, outcome) = drive(configuration, server: chunks, closeAtEnd: testCase.closeAtEnd)
        guard case .failed(let error, let farewell)? = outcome else {
            Issue.record("expected a failure, got \(String(describing: outcome)) for split \(chunks.map(\.count))")
            return
        }
        #expect(error.code == testCase.code)
        #expect(error.description.contains(testCase.contains), "\(error)")
        #expect(farewell.isEmpty)
    }
}

@Test("bytes smuggled in with the 'S' are refused, not read as the server's (CVE-2021-23222)")
func pgSessionRefusesPlaintextAfterS() {
    var session = PostgresProbeSession(configuration: PostgresConfiguration(user: "postgres", password: "secret"))
    _ = session.start()
    guard case .failed(let error, _) = session.receive([0x53] + PGWire.authenticationOk) else {
        Issue.record("the smuggled AuthenticationOk was not refused")
        return
    }
    #expect(error.description.contains("unencrypted data after agreeing to TLS"))
    // Alone, 'S' asks for the handshake; what follows goes to the TLS layer, never to the decoder.
    var clean = PostgresProbeSession(configuration: PostgresConfiguration(user: "postgres", password: "secret"))
    _ = clean.start()
    #expect(clean.receive([0x53]) == .startTLS)
}

@Test("bytes after the end change nothing")
func pgSessionAfterTheEnd() {
    var session = PostgresProbeSession(configuration: PostgresConfiguration(user: "postgres", transport: .plain))
    _ = session.start()
    let outcome = session.receive(PGWire.authenticationOk + setupBytes)
    #expect(outcome == .send(PGWire.readOnlyQuery("SELECT 1")))
    let end = session.receive(selectOneBytes)
    #expect(end == .finished(selectOneResult, farewell: PGWire.terminate))
    #expect(session.isFinished)
    #expect(session.receive([0xFF, 0xFF]) == .finished(selectOneResult, farewell: []))
    #expect(session.connectionClosed() == .finished(selectOneResult, farewell: []))
    #expect(session.cancelRequest != nil)
}
