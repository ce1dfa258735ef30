import HealthProtocols

/// Server bytes decoded as backend messages, from the start of a session and as the answer to
/// SSLRequest, with the default message limit and a tiny one: the same messages or error whole
/// and split into reads, and never more bytes held back than one message may have.
enum PostgresDecoderFuzz {
    static func run(_ input: [UInt8]) -> FuzzOutcome {
        var outcome = FuzzOutcome()
        for (ssl, limit) in [(false, PostgresMessageDecoder.defaultMaxMessageLength), (true, PostgresMessageDecoder.defaultMaxMessageLength), (false, 16)] {
            let whole = decode([input[...]], expectingSSLResponse: ssl, maxMessageLength: limit)
            let split = decode(Chunks.split(input), expectingSSLResponse: ssl, maxMessageLength: limit)
            outcome.expect(whole.messages == split.messages && whole.error == split.error,
                           "SSL \(ssl), limit \(limit): whole \(whole), split \(split)")
            // What waits between reads is part of one message whose header passed the limit.
            outcome.expect(split.buffered <= limit, "SSL \(ssl), limit \(limit): \(split.buffered) bytes buffered")
            outcome.outputSize += whole.messages.reduce(0) { $0 + size($1) } + (whole.error?.description.utf8.count ?? 0)
        }
        return outcome
    }

    private static func decode(
        _ chunks: [ArraySlice<UInt8>], expectingSSLResponse: Bool, maxMessageLength: Int
    ) -> (messages: [PostgresBackendMessage], error: PostgresError?, buffered: Int) {
        var decoder = PostgresMessageDecoder(maxMessageLength: maxMessageLength)
        var messages: [PostgresBackendMessage] = []
        var buffered = 0
        do throws(PostgresError) {
            for chunk in chunks {
                decoder.append(chunk)
                while let message = try decoder.next(expectingSSLResponse: expectingSSLResponse && messages.isEmpty) {
                    messages.append(message)
                }
                buffered = max(buffered, decoder.bufferedByteCount)
            }
            return (messages, nil, buffered)
        } catch {
            return (messages, error, buffered)
        }
    }

    /// Roughly the bytes a message holds once decoded.
    private static func size(_ message: PostgresBackendMessage) -> Int {
        switch message {
        case .dataRow(let row): row.values.reduce(2) { $0 + 4 + ($1?.count ?? 0) }
        case .rowDescription(let d): d.columns.reduce(2) { $0 + 18 + $1.name.utf8.count }
        case .errorResponse(let e): e.fields.values.reduce(1) { $0 + 1 + $1.utf8.count }
        case .noticeResponse(let n): n.fields.values.reduce(1) { $0 + 1 + $1.utf8.count }
        case .parameterStatus(let p): p.name.utf8.count + p.value.utf8.count
        case .commandComplete(let c): c.tag.utf8.count
        case .notificationResponse(let n): 4 + n.channel.utf8.count + n.payload.utf8.count
        case .negotiateProtocolVersion(let v): v.unrecognizedOptions.reduce(8) { $0 + $1.utf8.count }
        case .unhandled(_, let body): body.count
        case .authentication(let request):
            switch request {
            case .sasl(let mechanisms): mechanisms.reduce(4) { $0 + $1.utf8.count }
            case .gssContinue(let data), .saslContinue(let data), .saslFinal(let data), .md5Password(let data): data.count
            default: 4
            }
        case .backendKeyData(let key): 4 + key.secretKey.count
        case .sslResponse, .readyForQuery, .emptyQueryResponse: 1
        }
    }
}
