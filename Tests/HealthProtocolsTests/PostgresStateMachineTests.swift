import Testing

@testable import HealthProtocols

private typealias Machine = PostgresConnectionStateMachine

// MARK: - Conversation script

enum PGEvent: Sendable {
    case start
    case receive(PostgresBackendMessage)
    case closed
    case fail(PostgresError)
    /// The transport finished the TLS handshake, with the certificate's end-point hash.
    case tlsEstablished([UInt8]?)
}

enum PGExpect: Sendable {
    case send([UInt8])
    case wait
    case startTLS
    /// With Terminate as farewell.
    case finished(PostgresResult)
    case failed(PostgresError.Code, sqlState: String?, contains: String, farewell: Bool)
}

struct PGConversation: Sendable, CustomTestStringConvertible {
    var name: String
    var configuration: PostgresConfiguration
    var nonce = "rOprNGfwEbeRWgbNEkqO"
    var steps: [(event: PGEvent, expect: PGExpect)]
    var testDescription: String { name }
}

private func failed(
    _ code: PostgresError.Code, _ contains: String, sqlState: String? = nil, farewell: Bool = false
) -> PGExpect {
    .failed(code, sqlState: sqlState, contains: contains, farewell: farewell)
}

/// Runs the script; records an issue at the first step that does not match.
private func run(_ conversation: PGConversation) -> [PostgresConnectionStateMachine.Action] {
    var machine = Machine(configuration: conversation.configuration, nonceGenerator: { conversation.nonce })
    var actions: [PostgresConnectionStateMachine.Action] = []
    for (index, step) in conversation.steps.enumerated() {
        let action: Machine.Action
        switch step.event {
        case .start: action = machine.start()
        case .receive(let message): action = machine.receive(message)
        case .closed: action = machine.connectionClosed()
        case .fail(let error): action = machine.fail(error)
        case .tlsEstablished(let hash): action = machine.tlsEstablished(endPointHash: hash)
        }
        actions.append(action)
        guard matches(action, step.expect) else {
            Issue.record("step \(index) (\(step.event)): got \(action), expected \(step.expect)")
            return actions
        }
    }
    return actions
}

private func matches(_ action: Machine.Action, _ expect: PGExpect) -> Bool {
    switch (action, expect) {
    case (.send(let bytes), .send(let expected)): return bytes == expected
    case (.wait, .wait), (.startTLS, .startTLS): return true
    case (.finished(let result, let farewell), .finished(let expected)):
        return result == expected && farewell == PGWire.terminate
    case (.failed(let error, let farewell), .failed(let code, let sqlState, let contains, let expectFarewell)):
        return error.code == code && error.sqlState == sqlState && error.description.contains(contains)
            && farewell == (expectFarewell ? PGWire.terminate : [])
    default: return false
    }
}

// MARK: - Building blocks

/// Every method allowed, cleartext without TLS included (`require_auth=password,md5,…`).
private let anyAuth = PostgresAuthPolicy(allowing: Set(PostgresAuthPolicy.Method.allCases))
private let plain = PostgresConfiguration(
    user: "postgres", password: "secret", database: "app", transport: .plain, authPolicy: anyAuth)
private func configuration(
    password: String? = "secret", transport: PostgresConfiguration.Transport = .plain,
    channelBinding: PostgresConfiguration.ChannelBinding = .prefer, authPolicy: PostgresAuthPolicy = anyAuth,
    query: String? = nil, detailsQuery: String? = nil, detailsRowLimit: Int = 10
) -> PostgresConfiguration {
    PostgresConfiguration(
        user: "postgres", password: password, database: "app", transport: transport, channelBinding: channelBinding,
        authPolicy: authPolicy, query: query, detailsQuery: detailsQuery, detailsRowLimit: detailsRowLimit)
}

private let startupBytes = PGWire.startup([
    ("user", "postgres"), ("database", "app"), ("application_name", "healthd"), ("client_encoding", "UTF8"),
])

private func r(_ message: PostgresBackendMessage) -> PGEvent { .receive(message) }
private let ready = PostgresBackendMessage.readyForQuery(.init(transactionStatus: .idle))
private func rowDescription(_ columns: [(String, Int32)]) -> PostgresBackendMessage {
    .rowDescription(.init(columns: columns.map { .init(name: $0.0, dataTypeOID: $0.1) }))
}
private func dataRow(_ values: [String?]) -> PostgresBackendMessage {
    .dataRow(.init(values: values.map { $0.map { Array($0.utf8) } }))
}
private func complete(_ tag: String) -> PostgresBackendMessage { .commandComplete(.init(tag: tag)) }
private func error(_ fields: [Character: String]) -> PostgresBackendMessage {
    .errorResponse(.init(fields: Dictionary(uniqueKeysWithValues: fields.map { ($0.key.asciiValue!, $0.value) })))
}
private let notice = PostgresBackendMessage.noticeResponse(.init(fields: [0x53: "NOTICE", 0x4D: "hello"]))

private let startPlain: [(event: PGEvent, expect: PGExpect)] = [(.start, .send(startupBytes))]

/// After AuthenticationOk: ParameterStatus, BackendKeyData, ReadyForQuery → Query.
private func sessionSetup(query: String = "SELECT 1") -> [(event: PGEvent, expect: PGExpect)] {
    [
        (r(.parameterStatus(.init(name: "server_version", value: "16.3"))), .wait),
        (r(.backendKeyData(.init(processID: 4242, secretKey: [1, 2, 3, 4]))), .wait),
        (r(.parameterStatus(.init(name: "client_encoding", value: "UTF8"))), .wait),
        (r(ready), .send(PGWire.readOnlyQuery(query))),
    ]
}

private let parameters = ["server_version": "16.3", "client_encoding": "UTF8"]

private func result(
    _ value: String?, type: Int32? = PostgresType.int4, column: String? = "?column?", rows: Int = 1,
    tag: String? = "SELECT 1", details: [[(column: String, value: String?)]] = [], truncated: Bool = false
) -> PostgresResult {
    PostgresResult(
        value: value, typeOID: type, columnName: column, hasRows: rows > 0, rowCount: rows, commandTag: tag,
        details: details, detailsTruncated: truncated, serverParameters: parameters, backendProcessID: 4242)
}

/// BEGIN, RowDescription, DataRow "1", CommandComplete, ROLLBACK, ReadyForQuery → finished.
private let selectOne: [(event: PGEvent, expect: PGExpect)] = [
    (r(complete("BEGIN")), .wait),
    (r(rowDescription([("?column?", PostgresType.int4)])), .wait),
    (r(dataRow(["1"])), .wait),
    (r(complete("SELECT 1")), .wait),
    (r(complete("ROLLBACK")), .wait),
    (r(ready), .finished(result("1"))),
]

private let trustAuth: [(event: PGEvent, expect: PGExpect)] = [(r(.authentication(.ok)), .wait)]

// SCRAM, RFC 7677 example with PostgreSQL's empty user name (see PostgresSCRAMTests.swift for the
// derivation of the proof and the server signature).
private let scramServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
private let scramClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=qvT2SWdEH5Q06albL+hjSYuUhCG7VndFyzIb7CK4n9k="
private let scramBegin: [(event: PGEvent, expect: PGExpect)] = [
    (
        r(.authentication(.sasl(mechanisms: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]))),
        .send(PGWire.saslInitialResponse("SCRAM-SHA-256", "n,,n=,r=rOprNGfwEbeRWgbNEkqO"))
    ),
    (
        r(.authentication(.saslContinue(data: Array(scramServerFirst.utf8)))),
        .send(PGWire.saslResponse(scramClientFinal))
    ),
]
private func saslFinal(_ text: String) -> PGEvent { r(.authentication(.saslFinal(data: Array(text.utf8)))) }
private let pencil = configuration(password: "pencil")
private let endPointHash = [UInt8](repeating: 0xAB, count: 32)

// MARK: - Conversations

private let conversations: [PGConversation] = [
    // Authentication methods.
    PGConversation(
        name: "trust, sslmode=disable", configuration: plain, steps: startPlain + trustAuth + sessionSetup() + selectOne
    ),
    PGConversation(
        name: "cleartext password", configuration: plain,
        steps: startPlain + [
            (r(.authentication(.cleartextPassword)), .send(PGWire.password("secret"))),
            (r(.authentication(.ok)), .wait),
        ] + sessionSetup() + selectOne),
    PGConversation(
        // md5bb41… computed with printf + md5sum, see PostgresFrontendMessageTests.swift.
        name: "MD5 password", configuration: plain,
        steps: startPlain + [
            (
                r(.authentication(.md5Password(salt: [1, 2, 3, 4]))),
                .send([0x70, 0, 0, 0, 40] + Array("md5bb41a296aab6baccb36ff243a562abff\u{0}".utf8))
            ),
            (r(.authentication(.ok)), .wait),
        ] + sessionSetup() + selectOne),
    PGConversation(
        name: "SCRAM-SHA-256 (RFC 7677 example)", configuration: pencil,
        steps: startPlain + scramBegin + [
            (saslFinal("v=3HO6Qt1M4MKJrmlKaoOqLAI0/0TV0HZe7J9H3MBtSOg="), .wait),
            (r(.authentication(.ok)), .wait),
        ] + sessionSetup() + selectOne),
    PGConversation(
        name: "SCRAM wrong server signature (the RFC's, for n=user)", configuration: pencil,
        steps: startPlain + scramBegin + [
            (
                saslFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="),
                failed(.auth, "server signature does not match")
            )
        ]),
    PGConversation(
        name: "SCRAM e= in server-final", configuration: pencil,
        steps: startPlain + scramBegin + [(saslFinal("e=invalid-proof"), failed(.auth, "invalid-proof"))]),
    PGConversation(
        name: "SCRAM server nonce not starting with ours", configuration: pencil,
        steps: startPlain + [
            scramBegin[0],
            (
                r(.authentication(.saslContinue(data: Array("r=evil%nonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8)))),
                failed(.auth, "server nonce does not extend the client nonce")
            ),
        ]),
    PGConversation(
        name: "SCRAM AuthenticationOk before server-final", configuration: pencil,
        steps: startPlain + scramBegin + [
            (r(.authentication(.ok)), failed(.auth, "did not prove it knows the password"))
        ]),
    PGConversation(
        name: "SCRAM AuthenticationOk right after client-first", configuration: pencil,
        steps: startPlain + [
            scramBegin[0], (r(.authentication(.ok)), failed(.auth, "before completing SCRAM-SHA-256")),
        ]),
    PGConversation(
        name: "SCRAM server-final before server-first", configuration: pencil,
        steps: startPlain + [
            scramBegin[0], (saslFinal("v=AAAA"), failed(.protocol, "unexpected AuthenticationSASLFinal ('R')")),
        ]),
    PGConversation(
        name: "SCRAM wrong password: server answers 28P01", configuration: pencil,
        steps: startPlain + scramBegin + [
            (
                r(
                    error([
                        "S": "FATAL", "V": "FATAL", "C": "28P01",
                        "M": "password authentication failed for user \"postgres\"",
                    ])),
                failed(.auth, "FATAL 28P01: password authentication failed", sqlState: "28P01")
            )
        ]),
    PGConversation(
        name: "SASL without SCRAM-SHA-256", configuration: pencil,
        steps: startPlain + [
            (
                r(.authentication(.sasl(mechanisms: ["SCRAM-SHA-256-PLUS"]))),
                failed(.auth, "SCRAM-SHA-256-PLUS (channel binding), which needs TLS")
            )
        ]),
    PGConversation(
        name: "SASL with unknown mechanisms", configuration: pencil,
        steps: startPlain + [
            (r(.authentication(.sasl(mechanisms: ["OAUTHBEARER"]))), failed(.auth, "offered: OAUTHBEARER"))
        ]),
    PGConversation(
        name: "invalid SCRAM nonce from the generator", configuration: pencil, nonce: "a,b",
        steps: startPlain + [
            (r(.authentication(.sasl(mechanisms: ["SCRAM-SHA-256"]))), failed(.configuration, "SCRAM nonce"))
        ]),
    PGConversation(
        name: "MD5 requested but no password", configuration: configuration(password: nil),
        steps: startPlain + [
            (
                r(.authentication(.md5Password(salt: [1, 2, 3, 4]))),
                failed(.auth, "MD5 password authentication, but no password is configured")
            )
        ]),
    PGConversation(
        name: "SCRAM requested but no password", configuration: configuration(password: nil),
        steps: startPlain + [(r(.authentication(.sasl(mechanisms: ["SCRAM-SHA-256"]))), failed(.auth, "no password"))]),
    PGConversation(
        name: "GSSAPI is not supported", configuration: plain,
        steps: startPlain + [
            (r(.authentication(.gss)), failed(.auth, "GSSAPI authentication, which healthd does not support"))
        ]),
    PGConversation(
        name: "cleartext password with a NUL", configuration: configuration(password: "a\u{0}b"),
        steps: startPlain + [(r(.authentication(.cleartextPassword)), failed(.configuration, "NUL"))]),

    // SSL negotiation.
    PGConversation(
        name: "sslmode=prefer, server answers N: plain text", configuration: configuration(transport: .negotiateTLS(fallbackToPlain: true)),
        steps: [(.start, .send(PGWire.sslRequest)), (r(.sslResponse(.notSupported)), .send(startupBytes))] + trustAuth
            + sessionSetup() + selectOne),
    PGConversation(
        name: "sslmode=require, server answers N", configuration: configuration(transport: .negotiateTLS(fallbackToPlain: false)),
        steps: [
            (.start, .send(PGWire.sslRequest)),
            (
                r(.sslResponse(.notSupported)),
                failed(.tlsUnavailable, "does not support TLS (it answered 'N' to SSLRequest)")
            ),
        ]),
    PGConversation(
        name: "server answers S: TLS, then the startup, then SCRAM-SHA-256-PLUS with the certificate's hash",
        configuration: configuration(password: "pencil", transport: .negotiateTLS(fallbackToPlain: true)),
        steps: [
            (.start, .send(PGWire.sslRequest)),
            (r(.sslResponse(.supported)), .startTLS),
            (.tlsEstablished(endPointHash), .send(startupBytes)),
            (
                r(.authentication(.sasl(mechanisms: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]))),
                .send(PGWire.saslInitialResponse("SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,n=,r=rOprNGfwEbeRWgbNEkqO"))
            ),
        ]),
    PGConversation(
        name: "over TLS, PLUS not offered: SCRAM-SHA-256 with y (so a stripped offer is noticed)",
        configuration: configuration(password: "pencil", transport: .negotiateTLS(fallbackToPlain: false)),
        steps: [
            (.start, .send(PGWire.sslRequest)),
            (r(.sslResponse(.supported)), .startTLS),
            (.tlsEstablished(endPointHash), .send(startupBytes)),
            (
                r(.authentication(.sasl(mechanisms: ["SCRAM-SHA-256"]))),
                .send(PGWire.saslInitialResponse("SCRAM-SHA-256", "y,,n=,r=rOprNGfwEbeRWgbNEkqO"))
            ),
        ]),
    PGConversation(
        name: "over TLS, no certificate hash: SCRAM-SHA-256 with n",
        configuration: configuration(password: "pencil", transport: .negotiateTLS(fallbackToPlain: false)),
        steps: [
            (.start, .send(PGWire.sslRequest)),
            (r(.sslResponse(.supported)), .startTLS),
            (.tlsEstablished(nil), .send(startupBytes)),
            (
                r(.authentication(.sasl(mechanisms: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]))),
                .send(PGWire.saslInitialResponse("SCRAM-SHA-256", "n,,n=,r=rOprNGfwEbeRWgbNEkqO"))
            ),
        ]),
    PGConversation(
        name: "channel_binding=require refuses SCRAM without PLUS",
        configuration: configuration(password: "pencil", transport: .negotiateTLS(fallbackToPlain: false), channelBinding: .require),
        steps: [
            (.start, .send(PGWire.sslRequest)),
            (r(.sslResponse(.supported)), .startTLS),
            (.tlsEstablished(endPointHash), .send(startupBytes)),
            (r(.authentication(.sasl(mechanisms: ["SCRAM-SHA-256"]))), failed(.auth, "channel_binding=require")),
        ]),
    PGConversation(
        name: "channel_binding=require refuses an MD5 request",
        configuration: configuration(transport: .negotiateTLS(fallbackToPlain: false), channelBinding: .require),
        steps: [
            (.start, .send(PGWire.sslRequest)),
            (r(.sslResponse(.supported)), .startTLS),
            (.tlsEstablished(endPointHash), .send(startupBytes)),
            (r(.authentication(.md5Password(salt: [1, 2, 3, 4]))), failed(.auth, "accepts only SCRAM-SHA-256-PLUS")),
        ]),
    PGConversation(
        name: "channel_binding=require refuses trust",
        configuration: configuration(transport: .negotiateTLS(fallbackToPlain: false), channelBinding: .require),
        steps: [
            (.start, .send(PGWire.sslRequest)),
            (r(.sslResponse(.supported)), .startTLS),
            (.tlsEstablished(endPointHash), .send(startupBytes)),
            (r(.authentication(.ok)), failed(.auth, "no authentication")),
        ]),
    PGConversation(
        name: "default policy: a cleartext request without TLS gets no password",
        configuration: configuration(authPolicy: PostgresAuthPolicy()),
        steps: startPlain + [(r(.authentication(.cleartextPassword)), failed(.auth, "refused without TLS"))]),
    PGConversation(
        name: "default policy: cleartext over TLS is fine",
        configuration: configuration(transport: .negotiateTLS(fallbackToPlain: false), authPolicy: PostgresAuthPolicy()),
        steps: [
            (.start, .send(PGWire.sslRequest)),
            (r(.sslResponse(.supported)), .startTLS),
            (.tlsEstablished(nil), .send(startupBytes)),
            (r(.authentication(.cleartextPassword)), .send(PGWire.password("secret"))),
        ]),
    PGConversation(
        name: "require_auth=scram-sha-256 refuses MD5",
        configuration: configuration(authPolicy: PostgresAuthPolicy(allowing: [.scramSHA256])),
        steps: startPlain + [(r(.authentication(.md5Password(salt: [1, 2, 3, 4]))), failed(.auth, "refused by require_auth: scram-sha-256"))]),
    PGConversation(
        name: "require_auth=scram-sha-256 refuses trust",
        configuration: configuration(authPolicy: PostgresAuthPolicy(allowing: [.scramSHA256])),
        steps: startPlain + [(r(.authentication(.ok)), failed(.auth, "no authentication"))]),
    PGConversation(
        name: "a message before the TLS handshake is done",
        configuration: configuration(transport: .negotiateTLS(fallbackToPlain: true)),
        steps: [
            (.start, .send(PGWire.sslRequest)),
            (r(.sslResponse(.supported)), .startTLS),
            (r(.authentication(.ok)), failed(.protocol, "before the TLS handshake")),
        ]),
    PGConversation(
        name: "ErrorResponse to SSLRequest", configuration: configuration(transport: .negotiateTLS(fallbackToPlain: true)),
        steps: [
            (.start, .send(PGWire.sslRequest)),
            (
                r(error(["S": "FATAL", "C": "08P01", "M": "unsupported frontend protocol"])),
                failed(.server, "08P01", sqlState: "08P01")
            ),
        ]),
    PGConversation(
        name: "AuthenticationOk instead of an SSL answer", configuration: configuration(transport: .negotiateTLS(fallbackToPlain: true)),
        steps: [
            (.start, .send(PGWire.sslRequest)),
            (r(.authentication(.ok)), failed(.protocol, "unexpected AuthenticationOk ('R')")),
        ]),

    // Server errors.
    PGConversation(
        name: "28000 right after startup (no pg_hba.conf entry)", configuration: plain,
        steps: startPlain + [
            (
                r(error(["S": "FATAL", "C": "28000", "M": "no pg_hba.conf entry for host \"10.0.0.1\""])),
                failed(.auth, "no pg_hba.conf entry", sqlState: "28000")
            )
        ]),
    PGConversation(
        name: "28P01 after a cleartext password", configuration: plain,
        steps: startPlain + [
            (r(.authentication(.cleartextPassword)), .send(PGWire.password("secret"))),
            (
                r(
                    error([
                        "S": "FATAL", "V": "FATAL", "C": "28P01",
                        "M": "password authentication failed for user \"postgres\"",
                    ])),
                failed(.auth, "authentication failed during authentication: FATAL 28P01", sqlState: "28P01")
            ),
        ]),
    PGConversation(
        name: "any error while credentials are exchanged is an auth failure", configuration: plain,
        steps: startPlain + [
            (r(.authentication(.cleartextPassword)), .send(PGWire.password("secret"))),
            (
                r(error(["S": "FATAL", "C": "08P01", "M": "invalid password packet size"])),
                failed(.auth, "08P01", sqlState: "08P01")
            ),
        ]),
    PGConversation(
        name: "57P03 right after startup is a server error", configuration: plain,
        steps: startPlain + [
            (
                r(error(["S": "FATAL", "C": "57P03", "M": "the database system is starting up"])),
                failed(.server, "starting up", sqlState: "57P03")
            )
        ]),
    PGConversation(
        name: "3D000 unknown database", configuration: plain,
        steps: startPlain + trustAuth + [
            (
                r(error(["S": "FATAL", "V": "FATAL", "C": "3D000", "M": "database \"app\" does not exist"])),
                failed(
                    .server, "server error during session setup: FATAL 3D000: database \"app\" does not exist",
                    sqlState: "3D000")
            )
        ]),
    PGConversation(
        name: "28000 after AuthenticationOk (role may not log in)", configuration: plain,
        steps: startPlain + trustAuth + [
            (
                r(error(["S": "FATAL", "C": "28000", "M": "role \"postgres\" is not permitted to log in"])),
                failed(.auth, "not permitted", sqlState: "28000")
            )
        ]),
    PGConversation(
        name: "42601 syntax error in the query", configuration: configuration(query: "SELEC 1"),
        steps: startPlain + trustAuth + sessionSetup(query: "SELEC 1") + [
            (
                r(
                    error([
                        "S": "ERROR", "V": "ERROR", "C": "42601", "M": "syntax error at or near \"SELEC\"", "P": "1",
                        "H": "check it",
                    ])),
                failed(
                    .server,
                    "server error in the query: ERROR 42601: syntax error at or near \"SELEC\"; hint: check it",
                    sqlState: "42601", farewell: true)
            )
        ]),
    PGConversation(
        name: "FATAL in the query: no Terminate", configuration: plain,
        steps: startPlain + trustAuth + sessionSetup() + [
            (
                r(error(["S": "FATAL", "C": "57P01", "M": "terminating connection due to administrator command"])),
                failed(.server, "57P01", sqlState: "57P01", farewell: false)
            )
        ]),

    // Results.
    PGConversation(
        name: "NULL value", configuration: configuration(query: "SELECT NULL::int"),
        steps: startPlain + trustAuth + sessionSetup(query: "SELECT NULL::int") + [
            (r(rowDescription([("int4", PostgresType.int4)])), .wait),
            (r(dataRow([nil])), .wait),
            (r(complete("SELECT 1")), .wait),
            (r(ready), .finished(result(nil, column: "int4"))),
        ]),
    PGConversation(
        name: "no rows", configuration: configuration(query: "SELECT 1 WHERE false"),
        steps: startPlain + trustAuth + sessionSetup(query: "SELECT 1 WHERE false") + [
            (r(rowDescription([("?column?", PostgresType.int4)])), .wait),
            (r(complete("SELECT 0")), .wait),
            (r(ready), .finished(result(nil, rows: 0, tag: "SELECT 0"))),
        ]),
    PGConversation(
        name: "text value, several rows, notices ignored",
        configuration: configuration(query: "SELECT relname FROM pg_class"),
        steps: startPlain + [(r(notice), .wait)] + trustAuth + sessionSetup(query: "SELECT relname FROM pg_class") + [
            (r(rowDescription([("relname", 19), ("x", 25)])), .wait),
            (r(notice), .wait),
            (r(dataRow(["pg_class", "a"])), .wait),
            (r(dataRow(["pg_type", "b"])), .wait),
            (r(.notificationResponse(.init(processID: 1, channel: "c", payload: ""))), .wait),
            (r(.parameterStatus(.init(name: "client_encoding", value: "UTF8"))), .wait),
            (r(complete("SELECT 2")), .wait),
            (r(ready), .finished(result("pg_class", type: 19, column: "relname", rows: 2, tag: "SELECT 2"))),
        ]),
    PGConversation(
        name: "empty query", configuration: configuration(query: ""),
        steps: startPlain + trustAuth + sessionSetup(query: "") + [
            (r(.emptyQueryResponse), .wait),
            (r(ready), .finished(result(nil, type: nil, column: nil, rows: 0, tag: nil))),
        ]),
    PGConversation(
        name: "statement without rows", configuration: configuration(query: "SET x = 1"),
        steps: startPlain + trustAuth + sessionSetup(query: "SET x = 1") + [
            (r(complete("SET")), .wait),
            (r(ready), .finished(result(nil, type: nil, column: nil, rows: 0, tag: "SET"))),
        ]),
    PGConversation(
        name: "several statements: the last result counts",
        configuration: configuration(query: "SELECT 'a'; SET x = 1; SELECT 2"),
        steps: startPlain + trustAuth + sessionSetup(query: "SELECT 'a'; SET x = 1; SELECT 2") + [
            (r(rowDescription([("?column?", PostgresType.text)])), .wait),
            (r(dataRow(["a"])), .wait),
            (r(complete("SELECT 1")), .wait),
            (r(complete("SET")), .wait),
            (r(rowDescription([("?column?", PostgresType.int4)])), .wait),
            (r(dataRow(["2"])), .wait),
            (r(complete("SELECT 1")), .wait),
            (r(ready), .finished(result("2"))),
        ]),
    PGConversation(
        name: "details rows truncated to the limit",
        configuration: configuration(
            detailsQuery: "SELECT datname, numbackends FROM pg_stat_database", detailsRowLimit: 2),
        steps: startPlain + trustAuth + sessionSetup() + [
            (r(rowDescription([("?column?", PostgresType.int4)])), .wait),
            (r(dataRow(["1"])), .wait),
            (r(complete("SELECT 1")), .wait),
            (r(ready), .send(PGWire.readOnlyQuery("SELECT datname, numbackends FROM pg_stat_database"))),
            (r(rowDescription([("datname", 19), ("numbackends", PostgresType.int4)])), .wait),
            (r(dataRow(["postgres", "1"])), .wait),
            (r(dataRow(["app", nil])), .wait),
            (r(dataRow(["template1", "0"])), .wait),
            (r(complete("SELECT 3")), .wait),
            (
                r(ready),
                .finished(
                    result(
                        "1",
                        details: [
                            [(column: "datname", value: "postgres"), (column: "numbackends", value: "1")],
                            [(column: "datname", value: "app"), (column: "numbackends", value: nil)],
                        ], truncated: true))
            ),
        ]),
    PGConversation(
        name: "details rows under the limit", configuration: configuration(detailsQuery: "SELECT 'x' AS k"),
        steps: startPlain + trustAuth + sessionSetup() + [
            (r(rowDescription([("?column?", PostgresType.int4)])), .wait),
            (r(dataRow(["1"])), .wait),
            (r(complete("SELECT 1")), .wait),
            (r(ready), .send(PGWire.readOnlyQuery("SELECT 'x' AS k"))),
            (r(rowDescription([("k", PostgresType.text)])), .wait),
            (r(dataRow(["x"])), .wait),
            (r(complete("SELECT 1")), .wait),
            (r(ready), .finished(result("1", details: [[(column: "k", value: "x")]]))),
        ]),
    PGConversation(
        name: "error in the details query", configuration: configuration(detailsQuery: "SELECT nope"),
        steps: startPlain + trustAuth + sessionSetup() + [
            (r(rowDescription([("?column?", PostgresType.int4)])), .wait),
            (r(dataRow(["1"])), .wait),
            (r(complete("SELECT 1")), .wait),
            (r(ready), .send(PGWire.readOnlyQuery("SELECT nope"))),
            (
                r(error(["S": "ERROR", "C": "42703", "M": "column \"nope\" does not exist"])),
                failed(.server, "in the details query", sqlState: "42703", farewell: true)
            ),
        ]),

    // Protocol errors.
    PGConversation(
        name: "DataRow during authentication", configuration: plain,
        steps: startPlain + [
            (r(dataRow(["1"])), failed(.protocol, "protocol error during startup: unexpected DataRow ('D')"))
        ]),
    PGConversation(
        name: "CopyInResponse in the query", configuration: configuration(query: "COPY t FROM STDIN"),
        steps: startPlain + trustAuth + sessionSetup(query: "COPY t FROM STDIN") + [
            (
                r(.unhandled(.copyInResponse, body: [0, 0, 0])),
                failed(.protocol, "unexpected CopyInResponse ('G')", farewell: true)
            )
        ]),
    PGConversation(
        name: "DataRow before RowDescription", configuration: plain,
        steps: startPlain + trustAuth + sessionSetup() + [
            (r(dataRow(["1"])), failed(.protocol, "unexpected DataRow ('D')", farewell: true))
        ]),
    PGConversation(
        name: "DataRow with the wrong column count", configuration: plain,
        steps: startPlain + trustAuth + sessionSetup() + [
            (r(rowDescription([("?column?", PostgresType.int4)])), .wait),
            (
                r(dataRow(["1", "2"])),
                failed(.protocol, "DataRow has 2 columns, RowDescription announced 1", farewell: true)
            ),
        ]),
    PGConversation(
        name: "ReadyForQuery in the middle of rows", configuration: plain,
        steps: startPlain + trustAuth + sessionSetup() + [
            (r(rowDescription([("?column?", PostgresType.int4)])), .wait),
            (r(ready), failed(.protocol, "unexpected ReadyForQuery ('Z')", farewell: true)),
        ]),
    PGConversation(
        name: "BackendKeyData before AuthenticationOk", configuration: plain,
        steps: startPlain + [
            (
                r(.backendKeyData(.init(processID: 1, secretKey: [0, 0, 0, 0]))),
                failed(.protocol, "unexpected BackendKeyData ('K')")
            )
        ]),
    PGConversation(
        name: "SSL answer outside SSL negotiation", configuration: plain,
        steps: startPlain + [(r(.sslResponse(.supported)), failed(.protocol, "unexpected SSL response 'S'"))]),
    PGConversation(
        name: "SASLContinue after a cleartext password", configuration: plain,
        steps: startPlain + [
            (r(.authentication(.cleartextPassword)), .send(PGWire.password("secret"))),
            (
                r(.authentication(.saslContinue(data: []))),
                failed(.protocol, "unexpected AuthenticationSASLContinue ('R')")
            ),
        ]),

    // Connection and lifecycle.
    PGConversation(
        name: "connection closed during authentication", configuration: plain,
        steps: startPlain + [
            (r(.authentication(.cleartextPassword)), .send(PGWire.password("secret"))),
            (.closed, failed(.connectionClosed, "server closed the connection during authentication")),
        ]),
    PGConversation(
        name: "connection closed before the query completed", configuration: plain,
        steps: startPlain + trustAuth + sessionSetup() + [
            (.closed, failed(.connectionClosed, "before the query completed"))
        ]),
    PGConversation(
        name: "timeout in the query: Terminate", configuration: plain,
        steps: startPlain + trustAuth + sessionSetup() + [
            (
                .fail(PostgresError(.connectionClosed, "timed out")),
                failed(.connectionClosed, "connection closed in the query: timed out", farewell: true)
            )
        ]),
    PGConversation(
        name: "NUL in the query", configuration: configuration(query: "SELECT 1\u{0}"),
        steps: [(.start, failed(.configuration, "the query contains a NUL character"))]),
    PGConversation(
        name: "empty user", configuration: PostgresConfiguration(user: ""),
        steps: [(.start, failed(.configuration, "user name is empty"))]),
]

@Test("conversations", arguments: conversations)
func pgConversation(_ conversation: PGConversation) {
    _ = run(conversation)
}

@Test("after the end, every input repeats the outcome with nothing to write")
func pgAfterTheEnd() {
    var machine = Machine(configuration: plain)
    _ = machine.start()
    _ = machine.receive(.authentication(.ok))
    _ = machine.receive(ready)
    _ = machine.receive(rowDescription([("?column?", PostgresType.int4)]))
    _ = machine.receive(dataRow(["1"]))
    _ = machine.receive(complete("SELECT 1"))
    let end = machine.receive(ready)
    guard case .finished(let finalResult, let farewell) = end else {
        Issue.record("expected finished, got \(end)")
        return
    }
    #expect(farewell == PGWire.terminate)
    #expect(machine.isFinished)
    #expect(machine.receive(ready) == .finished(finalResult, farewell: []))
    #expect(machine.connectionClosed() == .finished(finalResult, farewell: []))
    #expect(machine.fail(PostgresError(.protocol, "late")) == .finished(finalResult, farewell: []))
    #expect(machine.start() == .finished(finalResult, farewell: []))
}

@Test("expectsSSLResponse only while waiting for the SSL answer")
func pgExpectsSSLResponse() {
    var machine = Machine(configuration: configuration(transport: .negotiateTLS(fallbackToPlain: true)))
    #expect(!machine.expectsSSLResponse)
    _ = machine.start()
    #expect(machine.expectsSSLResponse)
    _ = machine.receive(.sslResponse(.notSupported))
    #expect(!machine.expectsSSLResponse)
}

@Test("cancel request once BackendKeyData arrived")
func pgCancelRequest() {
    var machine = Machine(configuration: plain)
    _ = machine.start()
    _ = machine.receive(.authentication(.ok))
    #expect(machine.cancelRequest == nil)
    _ = machine.receive(.backendKeyData(.init(processID: 4242, secretKey: [0xDE, 0xAD, 0xBE, 0xEF])))
    #expect(machine.cancelRequest == [0, 0, 0, 16, 0x04, 0xD2, 0x16, 0x2E, 0, 0, 0x10, 0x92, 0xDE, 0xAD, 0xBE, 0xEF])
}

@Test("the default nonce is 24 printable characters and differs each time")
func pgRandomNonce() {
    let first = Machine.randomNonce()
    #expect(first.utf8.count == 24)
    #expect(SCRAMSHA256Client.isValidNonce(first))
    #expect(Machine.randomNonce() != first)
}

// MARK: - The password never shows

@Test("the password appears in no error and no description")
func pgPasswordNeverShows() {
    let secret = "Sup3r-S3cret-PW"
    let config = PostgresConfiguration(user: "postgres", password: secret, database: "app", transport: .plain)
    let failing: [[PostgresBackendMessage]] = [
        [
            .authentication(.cleartextPassword),
            error(["S": "FATAL", "C": "28P01", "M": "password authentication failed"]),
        ],
        [.authentication(.md5Password(salt: [1, 2, 3, 4])), error(["S": "FATAL", "C": "28P01", "M": "nope"])],
        [.authentication(.md5Password(salt: [1, 2, 3, 4])), dataRow([secret.uppercased()])],
        [
            .authentication(.sasl(mechanisms: ["SCRAM-SHA-256"])),
            .authentication(.saslContinue(data: Array(scramServerFirst.utf8))),
            .authentication(.saslFinal(data: Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8))),
        ],
        [
            .authentication(.sasl(mechanisms: ["SCRAM-SHA-256"])),
            .authentication(.saslContinue(data: Array("r=bad,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8))),
        ],
        [
            .authentication(.sasl(mechanisms: ["SCRAM-SHA-256"])),
            .authentication(.saslContinue(data: Array(scramServerFirst.utf8))),
            .authentication(.saslFinal(data: Array("e=invalid-proof".utf8))),
        ],
        [.authentication(.sasl(mechanisms: ["SCRAM-SHA-256"])), .authentication(.ok)],
        [
            .authentication(.cleartextPassword), .authentication(.ok), ready,
            error(["S": "ERROR", "C": "42601", "M": "x"]),
        ],
    ]
    for messages in failing {
        var machine = Machine(configuration: config, nonceGenerator: { "rOprNGfwEbeRWgbNEkqO" })
        var texts = [String(describing: config), String(reflecting: config), String(describing: machine)]
        var actions = [machine.start()]
        for message in messages { actions.append(machine.receive(message)) }
        actions.append(machine.connectionClosed())
        var dumped = ""
        dump(machine, to: &dumped)
        dump(config, to: &dumped)
        texts += [String(describing: machine), String(reflecting: machine), dumped]
        for action in actions {
            texts += [String(describing: action), String(reflecting: action)]
            if case .failed(let error, _) = action {
                texts += [
                    error.description, error.message, String(reflecting: error), error.detail ?? "", error.hint ?? "",
                ]
            }
        }
        #expect(actions.contains { if case .failed = $0 { true } else { false } })
        for text in texts { #expect(!text.contains(secret), "\(text)") }
    }
}
