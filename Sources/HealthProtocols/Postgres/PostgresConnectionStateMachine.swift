// The client side of a PostgreSQL probe conversation, as a pure state machine (no I/O, no clock).
//
//   [SSLRequest → 'S' → TLS handshake (by the transport) | 'N'] → StartupMessage → authentication (trust, cleartext, MD5, SCRAM-SHA-256)
//   → ParameterStatus* / BackendKeyData → ReadyForQuery
//   → Query "BEGIN READ ONLY; <query>; ROLLBACK" → CommandComplete, RowDescription / DataRow* / CommandComplete (or EmptyQueryResponse) … → ReadyForQuery
//   → [details Query → … → ReadyForQuery] → Terminate
//
// Driving it (see `PostgresProbeSession` for the byte-level version):
// 1. `start()` → `.send(bytes)` (SSLRequest, or StartupMessage for a plain attempt).
//    `.startTLS` after 'S': run the handshake over the socket, then call `tlsEstablished(…)`.
// 2. Decode what the server sends with `PostgresMessageDecoder.next(expectingSSLResponse:
//    expectsSSLResponse)` and hand each message to `receive(_:)`.
// 3. On EOF call `connectionClosed()`; on a decoding error, timeout or socket error call `fail(_:)`.
// Each call returns one `Action`:
// - `.send(bytes)`: write all the bytes, then keep reading;
// - `.wait`: keep reading;
// - `.finished(result, farewell:)` / `.failed(error, farewell:)`: write `farewell` if it is not empty
//   (Terminate; best effort, errors ignored), close the socket, report. Later calls return the same
//   outcome with an empty farewell.
//
// Errors: an ErrorResponse anywhere ends the conversation with its SQLSTATE, severity, message,
// detail and hint: `.auth` for SQLSTATE class 28 or while credentials are being exchanged, `.server`
// otherwise. NoticeResponse is ignored. A message that does not belong where it arrives is a
// `.protocol` error naming it. No error or description ever contains the password.

package struct PostgresConnectionStateMachine: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    package enum Action: Sendable, Equatable, CustomStringConvertible {
        /// Write these bytes, then keep reading.
        case send([UInt8])
        /// Keep reading.
        case wait
        /// The server agreed to TLS: run the handshake, then call `tlsEstablished(endPointHash:)`.
        case startTLS
        /// Done: write `farewell` (Terminate), close, report the result.
        case finished(PostgresResult, farewell: [UInt8])
        /// Failed: write `farewell` if not empty (Terminate, once the session was up and the error was
        /// not FATAL), close, report the error.
        case failed(PostgresError, farewell: [UInt8])

        /// Never shows the bytes sent (they may hold a password).
        package var description: String {
            switch self {
            case .send(let bytes): "send(\(bytes.count) bytes)"
            case .wait: "wait"
            case .startTLS: "startTLS"
            case .finished(let result, _): "finished(\(result))"
            case .failed(let error, _): "failed(\(error))"
            }
        }
    }

    package let configuration: PostgresConfiguration
    let clientNonce: String
    var state: State = .initial
    var serverParameters: [String: String] = [:]
    var backendKey: PostgresBackendMessage.BackendKeyData?
    /// The session runs over TLS; with the hash of the server's certificate for channel binding
    /// when the transport could compute it.
    package private(set) var overTLS = false
    /// The server answered the login (startup or authentication) with an ErrorResponse: what
    /// libpq's `prefer` and `allow` retry on the other transport.
    package private(set) var loginRejected = false
    var endPointHash: [UInt8]?

    enum State: Sendable {
        case initial
        /// SSLRequest sent; waiting for 'S' or 'N'.
        case sslNegotiation
        /// 'S' received; the transport runs the TLS handshake.
        case tlsHandshake
        /// StartupMessage sent; waiting for the first authentication request.
        case startup
        /// Credentials are being exchanged.
        case authenticating(Authentication)
        /// AuthenticationOk received; waiting for ReadyForQuery.
        case sessionSetup
        case query(QueryProgress)
        case detailsQuery(QueryProgress, main: PostgresResult)
        case finished(PostgresResult)
        case failed(PostgresError)
    }

    enum Authentication: Sendable {
        /// Cleartext or MD5 password sent; waiting for AuthenticationOk.
        case passwordSent
        case scramClientFirstSent(SCRAMSHA256Client)
        case scramClientFinalSent(expectedServerSignature: [UInt8])
        /// Server signature verified; waiting for AuthenticationOk.
        case scramVerified
    }

    /// The result set being read. The query runs between BEGIN READ ONLY and ROLLBACK; of the
    /// statements between, like libpq's PQexec, the last one's result is the result.
    struct QueryProgress: Sendable {
        /// Statements completed so far.
        var statements = 0
        /// The result of the last statement completed that is not the wrapper's.
        var completed: Completed?
        /// Between RowDescription and CommandComplete.
        var readingRows = false
        /// The statement being read.
        var current = Completed()

        struct Completed: Sendable {
            var columns: [PostgresBackendMessage.RowDescription.Column] = []
            var firstValue: String?
            var rowCount = 0
            var commandTag: String?
            var rows: [[(column: String, value: String?)]] = []
            var rowsTruncated = false
        }

        mutating func beginStatement() { current = Completed() }
    }

    /// - Parameter nonceGenerator: the SCRAM client nonce (printable ASCII, no comma); called once,
    ///   here. The default is 18 random bytes in base64, like libpq.
    package init(
        configuration: PostgresConfiguration,
        nonceGenerator: () -> String = PostgresConnectionStateMachine.randomNonce
    ) {
        self.configuration = configuration
        self.clientNonce = nonceGenerator()
    }

    package static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64.encode((0..<18).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    // MARK: - Inputs

    /// Opens the conversation: `.send(SSLRequest)`, or `.send(StartupMessage)` with sslmode=disable;
    /// `.failed` if the configuration cannot be sent.
    package mutating func start() -> Action {
        guard case .initial = state else {
            return fail(.protocolViolation("start() called twice"))
        }
        if let error = configuration.validate() { return fail(error) }
        guard case .negotiateTLS = configuration.transport else { return sendStartup() }
        state = .sslNegotiation
        return .send(PostgresFrontendMessage.sslRequest.encoded())
    }

    /// The TLS handshake after 'S' succeeded: the StartupMessage, now encrypted. `endPointHash` is
    /// the server certificate's hash for `tls-server-end-point`, nil if it cannot be computed.
    package mutating func tlsEstablished(endPointHash: [UInt8]?) -> Action {
        guard case .tlsHandshake = state else { return fail(.protocolViolation("TLS established outside the handshake")) }
        overTLS = true
        self.endPointHash = endPointHash
        return sendStartup()
    }

    /// Waiting for the transport's TLS handshake.
    package var awaitsTLS: Bool {
        if case .tlsHandshake = state { return true }
        return false
    }

    /// The next byte from the server is the unframed answer to SSLRequest: decode with
    /// `PostgresMessageDecoder.next(expectingSSLResponse: true)`.
    package var expectsSSLResponse: Bool {
        if case .sslNegotiation = state { return true }
        return false
    }

    /// The conversation is over (`.finished` or `.failed` was returned).
    package var isFinished: Bool {
        switch state {
        case .finished, .failed: true
        default: false
        }
    }

    /// To cancel a running query from another connection (e.g. on timeout): write these bytes on a
    /// new connection to the same server, then close it. Nil until BackendKeyData arrived.
    package var cancelRequest: [UInt8]? {
        backendKey.map {
            PostgresFrontendMessage.CancelRequest(processID: $0.processID, secretKey: $0.secretKey).encoded()
        }
    }

    package mutating func receive(_ message: PostgresBackendMessage) -> Action {
        switch state {
        case .finished, .failed:
            return outcome
        case .initial:
            return unexpected(message)
        case .sslNegotiation:
            return receiveSSLResponse(message)
        case .tlsHandshake:
            return fail(.protocolViolation("server sent \(message.name) before the TLS handshake"))
        default:
            break
        }
        switch message {
        case .noticeResponse:
            return .wait
        case .errorResponse(let response):
            switch state {
            case .startup, .authenticating: loginRejected = true
            default: break
            }
            return fail(serverError(response), farewell: farewellAfter(response))
        default:
            break
        }
        switch state {
        case .startup:
            switch message {
            case .authentication(let request): return beginAuthentication(request)
            // Only sent for a newer minor version or `_pq_.` options, neither of which we ask for.
            case .negotiateProtocolVersion: return .wait
            default: return unexpected(message)
            }
        case .authenticating(let step):
            guard case .authentication(let request) = message else { return unexpected(message) }
            return continueAuthentication(step, request)
        case .sessionSetup:
            switch message {
            case .parameterStatus(let parameter):
                serverParameters[parameter.name] = parameter.value
                return .wait
            case .backendKeyData(let key):
                backendKey = key
                return .wait
            case .notificationResponse:
                return .wait
            case .readyForQuery:
                state = .query(QueryProgress())
                return .send(PostgresFrontendMessage.query(.init(PostgresConfiguration.readOnly(configuration.query))).encoded())
            default:
                return unexpected(message)
            }
        case .query(var progress):
            if let action = read(message, into: &progress, keepingRows: 0) { return action }
            guard case .readyForQuery = message else {
                state = .query(progress)
                return .wait
            }
            let result = makeResult(progress)
            guard let detailsQuery = configuration.detailsQuery else { return finish(result) }
            state = .detailsQuery(QueryProgress(), main: result)
            return .send(PostgresFrontendMessage.query(.init(PostgresConfiguration.readOnly(detailsQuery))).encoded())
        case .detailsQuery(var progress, var result):
            if let action = read(message, into: &progress, keepingRows: configuration.detailsRowLimit) {
                return action
            }
            guard case .readyForQuery = message else {
                state = .detailsQuery(progress, main: result)
                return .wait
            }
            result.details = progress.completed?.rows ?? []
            result.detailsTruncated = progress.completed?.rowsTruncated ?? false
            result.serverParameters = serverParameters
            return finish(result)
        case .initial, .sslNegotiation, .tlsHandshake, .finished, .failed:
            return outcome  // handled above
        }
    }

    /// The server closed the connection (EOF).
    package mutating func connectionClosed() -> Action {
        let message: String
        switch state {
        case .finished, .failed: return outcome
        case .initial: message = "the connection closed before the conversation started"
        case .sslNegotiation: message = "server closed the connection without answering SSLRequest"
        case .tlsHandshake: message = "server closed the connection during the TLS handshake"
        case .startup: message = "server closed the connection without asking for authentication"
        case .authenticating: message = "server closed the connection during authentication"
        case .sessionSetup: message = "server closed the connection before it was ready for queries"
        case .query, .detailsQuery: message = "server closed the connection before the query completed"
        }
        return fail(PostgresError(.connectionClosed, message), farewell: false)
    }

    /// Ends the conversation with `error` (a decoding error, a socket error, a timeout). Its context
    /// is filled in with the current phase when empty.
    package mutating func fail(_ error: PostgresError) -> Action {
        fail(error, farewell: sessionIsUp)
    }

    // MARK: - Phases

    mutating func receiveSSLResponse(_ message: PostgresBackendMessage) -> Action {
        switch message {
        case .sslResponse(.supported):
            state = .tlsHandshake
            return .startTLS
        case .sslResponse(.notSupported):
            guard case .negotiateTLS(fallbackToPlain: true) = configuration.transport else {
                return fail(
                    PostgresError(
                        .tlsUnavailable,
                        "server does not support TLS (it answered 'N' to SSLRequest) and sslmode requires it"))
            }
            return sendStartup()
        case .errorResponse(let response):
            return fail(serverError(response), farewell: false)
        default:
            return unexpected(message)
        }
    }

    mutating func sendStartup() -> Action {
        state = .startup
        let startup = PostgresFrontendMessage.StartupMessage(parameters: configuration.startupParameters)
        return .send(PostgresFrontendMessage.startup(startup).encoded())
    }

    /// Handles a message of the query phase; returns nil when the caller must go on (the message
    /// was absorbed into `progress`, or it is ReadyForQuery).
    mutating func read(
        _ message: PostgresBackendMessage, into progress: inout QueryProgress, keepingRows limit: Int
    ) -> Action? {
        switch message {
        case .parameterStatus(let parameter):
            serverParameters[parameter.name] = parameter.value
        case .notificationResponse:
            break
        case .rowDescription(let description):
            guard !progress.readingRows else { return unexpected(message) }
            progress.beginStatement()
            progress.readingRows = true
            progress.current.columns = description.columns
        case .dataRow(let row):
            guard progress.readingRows else { return unexpected(message) }
            guard row.values.count == progress.current.columns.count else {
                return fail(
                    .protocolViolation(
                        "DataRow has \(row.values.count) columns, RowDescription announced \(progress.current.columns.count)"))
            }
            if progress.current.rowCount == 0, let first = row.values.first {
                progress.current.firstValue = first.map { String(decoding: $0, as: UTF8.self) }
            }
            if progress.current.rows.count < limit {
                progress.current.rows.append(
                    zip(progress.current.columns, row.values).map { column, value in
                        (column: column.name, value: value.map { String(decoding: $0, as: UTF8.self) })
                    })
            } else {
                progress.current.rowsTruncated = true
            }
            progress.current.rowCount += 1
        case .commandComplete(let complete):
            // A statement without rows (SET…) replaces the previous result, as in PQexec; the
            // leading BEGIN and the ROLLBACK are the read-only wrapper's, never the result.
            if !progress.readingRows { progress.beginStatement() }
            progress.current.commandTag = complete.tag
            let wrapper = (progress.statements == 0 && complete.tag == "BEGIN") || complete.tag == "ROLLBACK"
            progress.statements += 1
            if !wrapper { progress.completed = progress.current }
            progress.readingRows = false
        case .emptyQueryResponse:
            guard !progress.readingRows else { return unexpected(message) }
            progress.beginStatement()
        case .readyForQuery:
            guard !progress.readingRows else { return unexpected(message) }
            return nil
        default:
            return unexpected(message)
        }
        return nil
    }

    func makeResult(_ progress: QueryProgress) -> PostgresResult {
        let done = progress.completed ?? QueryProgress.Completed()
        let column = done.columns.first
        return PostgresResult(
            value: done.firstValue, typeOID: column?.dataTypeOID, columnName: column?.name,
            hasRows: done.rowCount > 0, rowCount: done.rowCount, commandTag: done.commandTag,
            serverParameters: serverParameters, backendProcessID: backendKey?.processID)
    }

    // MARK: - Outcomes

    mutating func finish(_ result: PostgresResult) -> Action {
        state = .finished(result)
        return .finished(result, farewell: PostgresFrontendMessage.terminate.encoded())
    }

    mutating func fail(_ error: PostgresError, farewell: Bool) -> Action {
        if case .finished = state { return outcome }
        if case .failed = state { return outcome }
        var error = error
        if error.context.isEmpty { error.context = phase }
        state = .failed(error)
        return .failed(error, farewell: farewell ? PostgresFrontendMessage.terminate.encoded() : [])
    }

    /// The outcome again, for calls after the end (nothing more to write); `.wait` before the end.
    var outcome: Action {
        switch state {
        case .finished(let result): .finished(result, farewell: [])
        case .failed(let error): .failed(error, farewell: [])
        default: .wait
        }
    }

    mutating func unexpected(_ message: PostgresBackendMessage) -> Action {
        fail(.protocolViolation("unexpected \(message.name)"))
    }

    mutating func missingPassword(_ method: String) -> Action {
        fail(PostgresError(.auth, "server requires \(method) authentication, but no password is configured"))
    }

    /// Terminate is worth sending once the server is idle in a session, i.e. after the first ReadyForQuery.
    var sessionIsUp: Bool {
        switch state {
        case .query, .detailsQuery: true
        default: false
        }
    }

    /// No Terminate after FATAL or PANIC: the server is already closing the connection.
    func farewellAfter(_ response: PostgresBackendMessage.ErrorResponse) -> Bool {
        sessionIsUp && !["FATAL", "PANIC"].contains(response.severity ?? "")
    }

    func serverError(_ response: PostgresBackendMessage.ErrorResponse) -> PostgresError {
        var code = PostgresError.Code.server
        if response.sqlState?.hasPrefix("28") == true { code = .auth }
        if case .authenticating = state { code = .auth }
        return PostgresError(
            code, response.message ?? "(no message)", sqlState: response.sqlState, severity: response.severity,
            detail: response.detail, hint: response.hint, context: phase)
    }

    /// Where the conversation is, for error contexts.
    var phase: String {
        switch state {
        case .initial: "before connecting"
        case .sslNegotiation: "during SSL negotiation"
        case .tlsHandshake: "during the TLS handshake"
        case .startup: "during startup"
        case .authenticating: "during authentication"
        case .sessionSetup: "during session setup"
        case .query: "in the query"
        case .detailsQuery: "in the details query"
        case .finished, .failed: "after the conversation ended"
        }
    }

    package var description: String {
        "PostgresConnectionStateMachine(\(configuration), phase: \(phase))"
    }

    package var debugDescription: String { description }

    package var customMirror: Mirror {
        Mirror(self, children: ["configuration": configuration, "phase": phase], displayStyle: .struct)
    }
}
