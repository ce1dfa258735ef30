// The byte-level driver of a probe conversation: `PostgresMessageDecoder` feeding
// `PostgresConnectionStateMachine`. The transport only moves bytes:
//
//   var session = PostgresProbeSession(configuration: config)
//   act(session.start())
//   on readable:  act(session.receive(bytesRead))
//   on EOF:       act(session.connectionClosed())
//   on timeout or socket error: act(session.fail(PostgresError(...)))
//
//   act(.send(bytes)):               write all of them, keep reading
//   act(.wait):                      keep reading
//   act(.startTLS):                  run the TLS handshake on the socket; from then on bytes are
//                                    plaintext; then act(session.tlsEstablished(endPointHash: …))
//   act(.finished(result, farewell)): write farewell (best effort), close, report success
//   act(.failed(error, farewell)):    write farewell if not empty (best effort), close, report failure

package struct PostgresProbeSession: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    package typealias Action = PostgresConnectionStateMachine.Action

    package private(set) var stateMachine: PostgresConnectionStateMachine
    private var decoder: PostgresMessageDecoder

    package init(
        configuration: PostgresConfiguration,
        nonceGenerator: () -> String = PostgresConnectionStateMachine.randomNonce,
        maxMessageLength: Int = PostgresMessageDecoder.defaultMaxMessageLength
    ) {
        stateMachine = PostgresConnectionStateMachine(configuration: configuration, nonceGenerator: nonceGenerator)
        decoder = PostgresMessageDecoder(maxMessageLength: maxMessageLength)
    }

    package var isFinished: Bool { stateMachine.isFinished }

    /// See `PostgresConnectionStateMachine.cancelRequest`.
    package var cancelRequest: [UInt8]? { stateMachine.cancelRequest }

    package mutating func start() -> Action { stateMachine.start() }

    /// Bytes read from the socket, in any split. Decodes every complete message and returns one action:
    /// the outcome if the conversation ended, else `.send` with everything to write (in order), else `.wait`.
    package mutating func receive(_ bytes: some Sequence<UInt8>) -> Action {
        if stateMachine.isFinished { return stateMachine.outcome }
        decoder.append(bytes)
        var pending: [UInt8] = []
        while true {
            let message: PostgresBackendMessage?
            do {
                message = try decoder.next(expectingSSLResponse: stateMachine.expectsSSLResponse)
            } catch {
                return stateMachine.fail(error)
            }
            guard let message else { break }
            switch stateMachine.receive(message) {
            case .wait: continue
            case .send(let bytes): pending.append(contentsOf: bytes)
            case .startTLS where decoder.bufferedByteCount > 0:
                // Bytes after 'S' arrived unencrypted, from whoever is in the middle (CVE-2021-23222).
                return stateMachine.fail(
                    .protocolViolation("server sent unencrypted data after agreeing to TLS"))
            case let outcome: return outcome
            }
        }
        return pending.isEmpty ? .wait : .send(pending)
    }

    /// The TLS handshake that `.startTLS` asked for is done.
    package mutating func tlsEstablished(endPointHash: [UInt8]?) -> Action {
        stateMachine.tlsEstablished(endPointHash: endPointHash)
    }

    /// The server closed the connection.
    package mutating func connectionClosed() -> Action {
        if !stateMachine.isFinished && decoder.bufferedByteCount > 0 {
            return stateMachine.fail(
                PostgresError(
                    .connectionClosed,
                    "server closed the connection in the middle of a message"
                        + " (\(decoder.bufferedByteCount) bytes buffered)"))
        }
        return stateMachine.connectionClosed()
    }

    /// Ends the conversation (timeout, socket error).
    package mutating func fail(_ error: PostgresError) -> Action { stateMachine.fail(error) }

    package var description: String { "PostgresProbeSession(\(stateMachine))" }
    package var debugDescription: String { description }
    package var customMirror: Mirror { Mirror(self, children: ["stateMachine": stateMachine], displayStyle: .struct) }
}
