// Incremental decoder of backend messages.
//
// Feed it whatever the socket produced with `append`, then call `next` until it returns nil (it
// needs more bytes). A message is consumed only once it decoded completely, so the messages do not
// depend on how the input was split.
//
// Guarantees:
// - Nothing traps on hostile input: every read is bounds-checked.
// - An unknown type byte fails at once; a length field that is negative, below 4 or above
//   `maxMessageLength` fails as soon as the 5-byte header is there (before any body is buffered),
//   so memory stays bounded by `maxMessageLength` plus one read.
// - After an error the decoder stays failed and rethrows it.

package struct PostgresMessageDecoder: Sendable {
    /// 1 MiB: far more than any message a probe should get (a DataRow with a huge value is refused).
    package static let defaultMaxMessageLength = 1 << 20

    /// Largest accepted value of a length field (which counts itself and the body).
    package let maxMessageLength: Int

    private var buffer: [UInt8] = []
    /// Start of the first byte not yet consumed.
    private var readIndex = 0
    private var failure: PostgresError?

    package init(maxMessageLength: Int = defaultMaxMessageLength) {
        precondition(maxMessageLength >= 4, "a PostgreSQL message length is at least 4")
        self.maxMessageLength = maxMessageLength
    }

    /// Bytes received but not yet returned as messages (an incomplete message).
    package var bufferedByteCount: Int { buffer.count - readIndex }

    package mutating func append(_ bytes: some Sequence<UInt8>) {
        if readIndex > 0 && (readIndex == buffer.count || readIndex >= 4096) {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message, or nil when more bytes are needed.
    ///
    /// - Parameter expectingSSLResponse: the client sent SSLRequest and waits for the answer: a single
    ///   unframed `S` or `N` byte (or a framed ErrorResponse). Pass
    ///   `PostgresConnectionStateMachine.expectsSSLResponse`.
    package mutating func next(expectingSSLResponse: Bool = false) throws(PostgresError) -> PostgresBackendMessage? {
        if let failure { throw failure }
        do {
            return try decodeOne(expectingSSLResponse: expectingSSLResponse)
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func decodeOne(expectingSSLResponse: Bool) throws(PostgresError) -> PostgresBackendMessage? {
        let available = buffer.count - readIndex
        guard available >= 1 else { return nil }
        let typeByte = buffer[readIndex]

        if expectingSSLResponse {
            if let response = PostgresBackendMessage.SSLResponse(rawValue: typeByte) {
                readIndex += 1
                return .sslResponse(response)
            }
            guard typeByte == PostgresBackendMessage.ID.errorResponse.rawValue else {
                throw .protocolViolation(
                    "unexpected answer to SSLRequest: byte \(PostgresFraming.describeByte(typeByte)),"
                        + " expected 'S' or 'N'"
                        + " (is this a PostgreSQL server?)")
            }
        }

        guard let id = PostgresBackendMessage.ID(rawValue: typeByte) else {
            throw .protocolViolation(
                "unknown message type byte \(PostgresFraming.describeByte(typeByte)) (is this a PostgreSQL server?)")
        }
        guard available >= 5 else { return nil }
        let length = Int32(
            bitPattern: PostgresMessageReader.uint32(buffer[(readIndex + 1)..<(readIndex + 5)], at: readIndex + 1))
        if length < 0 {
            throw .protocolViolation("\(id) message has a negative length (\(length))")
        }
        if length < 4 {
            throw .protocolViolation("\(id) message has length \(length), less than the 4 bytes of the length itself")
        }
        if Int(length) > maxMessageLength {
            throw .protocolViolation(
                "\(id) message length \(length) exceeds the limit of \(maxMessageLength) bytes")
        }
        let total = 1 + Int(length)
        guard available >= total else { return nil }
        let message = try PostgresBackendMessage.decode(id, body: buffer[(readIndex + 5)..<(readIndex + total)])
        readIndex += total
        return message
    }
}
