import Testing

@testable import HealthProtocols

private typealias B = PostgresBackendMessage

// MARK: - Each message decodes

struct PGDecodeCase: Sendable, CustomTestStringConvertible {
    var name: String
    var wire: [UInt8]
    var expected: PostgresBackendMessage
    var testDescription: String { name }
}

private let decodeCases: [PGDecodeCase] = [
    PGDecodeCase(name: "AuthenticationOk", wire: [0x52, 0, 0, 0, 8, 0, 0, 0, 0], expected: .authentication(.ok)),
    PGDecodeCase(
        name: "AuthenticationCleartextPassword", wire: [0x52, 0, 0, 0, 8, 0, 0, 0, 3],
        expected: .authentication(.cleartextPassword)),
    PGDecodeCase(
        name: "AuthenticationMD5Password", wire: [0x52, 0, 0, 0, 12, 0, 0, 0, 5, 0x01, 0x02, 0x03, 0x04],
        expected: .authentication(.md5Password(salt: [1, 2, 3, 4]))),
    PGDecodeCase(
        name: "AuthenticationKerberosV5", wire: [0x52, 0, 0, 0, 8, 0, 0, 0, 2], expected: .authentication(.kerberosV5)),
    PGDecodeCase(name: "AuthenticationGSS", wire: [0x52, 0, 0, 0, 8, 0, 0, 0, 7], expected: .authentication(.gss)),
    PGDecodeCase(name: "AuthenticationSSPI", wire: [0x52, 0, 0, 0, 8, 0, 0, 0, 9], expected: .authentication(.sspi)),
    PGDecodeCase(
        name: "AuthenticationGSSContinue", wire: [0x52, 0, 0, 0, 10, 0, 0, 0, 8, 0xAB, 0xCD],
        expected: .authentication(.gssContinue(data: [0xAB, 0xCD]))),
    PGDecodeCase(
        name: "AuthenticationSASL two mechanisms",
        wire: PGWire.authentication(10, PGWire.cString("SCRAM-SHA-256-PLUS") + PGWire.cString("SCRAM-SHA-256") + [0]),
        expected: .authentication(.sasl(mechanisms: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]))),
    PGDecodeCase(
        name: "AuthenticationSASL empty list", wire: [0x52, 0, 0, 0, 9, 0, 0, 0, 10, 0],
        expected: .authentication(.sasl(mechanisms: []))),
    PGDecodeCase(
        name: "AuthenticationSASLContinue", wire: PGWire.authentication(11, Array("r=abc,s=c2FsdA==,i=4096".utf8)),
        expected: .authentication(.saslContinue(data: Array("r=abc,s=c2FsdA==,i=4096".utf8)))),
    PGDecodeCase(
        name: "AuthenticationSASLFinal", wire: PGWire.authentication(12, Array("v=c2ln".utf8)),
        expected: .authentication(.saslFinal(data: Array("v=c2ln".utf8)))),
    PGDecodeCase(
        name: "BackendKeyData", wire: [0x4B, 0, 0, 0, 12, 0, 0, 0x10, 0x92, 0xDE, 0xAD, 0xBE, 0xEF],
        expected: .backendKeyData(.init(processID: 4242, secretKey: [0xDE, 0xAD, 0xBE, 0xEF]))),
    PGDecodeCase(
        name: "BackendKeyData 32-byte key (protocol 3.2)",
        wire: PGWire.backendKeyData(7, Array(repeating: 9, count: 32)),
        expected: .backendKeyData(.init(processID: 7, secretKey: Array(repeating: 9, count: 32)))),
    PGDecodeCase(
        name: "CommandComplete", wire: [0x43, 0, 0, 0, 13] + Array("SELECT 1".utf8) + [0],
        expected: .commandComplete(.init(tag: "SELECT 1"))),
    PGDecodeCase(
        name: "DataRow text, NULL, empty",
        wire: [0x44, 0, 0, 0, 21, 0, 3, 0, 0, 0, 3, 0x34, 0x32, 0x21, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0],
        expected: .dataRow(.init(values: [Array("42!".utf8), nil, []]))),
    PGDecodeCase(name: "DataRow no columns", wire: [0x44, 0, 0, 0, 6, 0, 0], expected: .dataRow(.init(values: []))),
    PGDecodeCase(name: "EmptyQueryResponse", wire: [0x49, 0, 0, 0, 4], expected: .emptyQueryResponse),
    PGDecodeCase(
        name: "ErrorResponse",
        wire: PGWire.errorResponse([
            ("S", "FATAL"), ("V", "FATAL"), ("C", "28P01"), ("M", "password authentication failed for user \"bob\""),
            ("F", "auth.c"), ("L", "326"), ("R", "auth_failed"),
        ]),
        expected: .errorResponse(
            .init(fields: [
                0x53: "FATAL", 0x56: "FATAL", 0x43: "28P01", 0x4D: "password authentication failed for user \"bob\"",
                0x46: "auth.c", 0x4C: "326", 0x52: "auth_failed",
            ]))),
    PGDecodeCase(
        name: "NoticeResponse",
        wire: PGWire.frame("N", [0x53] + PGWire.cString("WARNING") + [0x43] + PGWire.cString("01000") + [0]),
        expected: .noticeResponse(.init(fields: [0x53: "WARNING", 0x43: "01000"]))),
    PGDecodeCase(
        name: "NotificationResponse",
        wire: PGWire.frame("A", PGWire.int32(99) + PGWire.cString("jobs") + PGWire.cString("done")),
        expected: .notificationResponse(.init(processID: 99, channel: "jobs", payload: "done"))),
    PGDecodeCase(
        name: "NegotiateProtocolVersion",
        wire: PGWire.frame("v", PGWire.int32(0) + PGWire.int32(1) + PGWire.cString("_pq_.x")),
        expected: .negotiateProtocolVersion(.init(newestMinorVersion: 0, unrecognizedOptions: ["_pq_.x"]))),
    PGDecodeCase(
        name: "ParameterStatus", wire: [0x53, 0, 0, 0, 24] + Array("server_version\u{0}16.3\u{0}".utf8),
        expected: .parameterStatus(.init(name: "server_version", value: "16.3"))),
    PGDecodeCase(
        name: "ReadyForQuery idle", wire: [0x5A, 0, 0, 0, 5, 0x49],
        expected: .readyForQuery(.init(transactionStatus: .idle))),
    PGDecodeCase(
        name: "ReadyForQuery in transaction", wire: [0x5A, 0, 0, 0, 5, 0x54],
        expected: .readyForQuery(.init(transactionStatus: .inTransaction))),
    PGDecodeCase(
        name: "ReadyForQuery failed transaction", wire: [0x5A, 0, 0, 0, 5, 0x45],
        expected: .readyForQuery(.init(transactionStatus: .failedTransaction))),
    PGDecodeCase(
        name: "RowDescription one int4 column",
        // "?column?" NUL, table OID 0, attnum 0, type 23, size 4, typmod -1, format 0
        wire: [0x54, 0, 0, 0, 33, 0, 1] + Array("?column?".utf8) + [0]
            + [0, 0, 0, 0, 0, 0, 0, 0, 0, 23, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0],
        expected: .rowDescription(
            .init(columns: [.init(name: "?column?", dataTypeOID: 23, dataTypeSize: 4, typeModifier: -1)]))),
    PGDecodeCase(
        name: "RowDescription two columns",
        wire: PGWire.rowDescription([("name", 25), ("n", 20)]),
        expected: .rowDescription(
            .init(columns: [.init(name: "name", dataTypeOID: 25), .init(name: "n", dataTypeOID: 20)]))),
    PGDecodeCase(
        name: "CopyInResponse kept raw", wire: [0x47, 0, 0, 0, 7, 0, 0, 0],
        expected: .unhandled(.copyInResponse, body: [0, 0, 0])),
    PGDecodeCase(name: "NoData kept raw", wire: [0x6E, 0, 0, 0, 4], expected: .unhandled(.noData, body: [])),
]

@Test("each backend message decodes", arguments: decodeCases)
func pgEachMessageDecodes(_ testCase: PGDecodeCase) throws {
    #expect(try pgDecodeAll([testCase.wire[...]]).get() == [testCase.expected])
}

@Test("every split of the input decodes to the same messages")
func pgSplitsDecodeTheSame() throws {
    let wire = decodeCases.flatMap(\.wire)
    let expected = decodeCases.map(\.expected)
    for chunks in pgSplits(wire) {
        #expect(try pgDecodeAll(chunks).get() == expected, "split into \(chunks.map(\.count))")
    }
}

@Test("a partial message returns nil and is not consumed")
func pgPartialMessageWaits() throws {
    var decoder = PostgresMessageDecoder()
    let wire = PGWire.commandComplete("SELECT 1")
    decoder.append(wire.prefix(7))
    #expect(try decoder.next() == nil)
    #expect(decoder.bufferedByteCount == 7)
    decoder.append(wire.dropFirst(7))
    #expect(try decoder.next() == .commandComplete(.init(tag: "SELECT 1")))
    #expect(try decoder.next() == nil)
    #expect(decoder.bufferedByteCount == 0)
}

// MARK: - SSL response

@Test("the answer to SSLRequest is one unframed byte, followed by normal messages")
func pgSSLResponseByte() throws {
    let wire: [UInt8] = [0x4E] + PGWire.authenticationOk
    for chunks in pgSplits(wire) {
        #expect(
            try pgDecodeAll(chunks, expectingSSLResponseFirst: true).get() == [
                .sslResponse(.notSupported), .authentication(.ok),
            ])
    }
    #expect(try pgDecodeAll([[0x53]], expectingSSLResponseFirst: true).get() == [.sslResponse(.supported)])
    // An ErrorResponse is framed as usual.
    let error = PGWire.errorResponse([("S", "FATAL"), ("C", "08P01"), ("M", "unsupported frontend protocol")])
    #expect(
        try pgDecodeAll([error[...]], expectingSSLResponseFirst: true).get()
            == [.errorResponse(.init(fields: [0x53: "FATAL", 0x43: "08P01", 0x4D: "unsupported frontend protocol"]))])
}

@Test("any other answer to SSLRequest is a protocol error")
func pgSSLResponseGarbage() {
    let result = pgDecodeAll([Array("HTTP/1.1 400".utf8)[...]], expectingSSLResponseFirst: true)
    guard case .failure(let error) = result else {
        Issue.record("expected an error, got \(result)")
        return
    }
    #expect(error.code == .protocol)
    #expect(error.message.contains("0x48 ('H')"))
    #expect(error.message.contains("SSLRequest"))
}

// MARK: - Bad input

struct PGBadInputCase: Sendable, CustomTestStringConvertible {
    var name: String
    var wire: [UInt8]
    var messageContains: String
    var testDescription: String { name }
}

private let badInputCases: [PGBadInputCase] = [
    PGBadInputCase(
        name: "unknown type byte", wire: [0x00, 0, 0, 0, 4], messageContains: "unknown message type byte 0x00"),
    PGBadInputCase(name: "unknown printable type byte", wire: [0x7A], messageContains: "0x7A ('z')"),
    PGBadInputCase(
        name: "HTTP response", wire: Array("HTTP/1.1 400 Bad Request\r\n".utf8),
        messageContains: "CopyOutResponse ('H') message length 1414811695 exceeds the limit of 1048576 bytes"),
    PGBadInputCase(
        name: "negative length", wire: [0x5A, 0xFF, 0xFF, 0xFF, 0xFF],
        messageContains: "ReadyForQuery ('Z') message has a negative length (-1)"),
    PGBadInputCase(
        name: "most negative length", wire: [0x44, 0x80, 0, 0, 0], messageContains: "negative length (-2147483648)"),
    PGBadInputCase(name: "length below 4", wire: [0x49, 0, 0, 0, 3], messageContains: "has length 3, less than"),
    PGBadInputCase(name: "length zero", wire: [0x49, 0, 0, 0, 0], messageContains: "has length 0, less than"),
    PGBadInputCase(
        name: "length 1 MiB + 1, refused before the body arrives", wire: [0x44, 0x00, 0x10, 0x00, 0x01],
        messageContains: "length 1048577 exceeds the limit of 1048576 bytes"),
    PGBadInputCase(
        name: "DataRow negative column count", wire: [0x44, 0, 0, 0, 6, 0xFF, 0xFF],
        messageContains: "malformed DataRow ('D') message: negative column count -1"),
    PGBadInputCase(
        name: "DataRow column length -2", wire: [0x44, 0, 0, 0, 10, 0, 1, 0xFF, 0xFF, 0xFF, 0xFE],
        messageContains: "column 0 has negative length -2"),
    PGBadInputCase(
        name: "DataRow column longer than the message", wire: [0x44, 0, 0, 0, 11, 0, 1, 0, 0, 0, 5, 0x41],
        messageContains: "column 0 needs 5 bytes, 1 left"),
    PGBadInputCase(
        name: "DataRow column count beyond the body", wire: [0x44, 0, 0, 0, 6, 0x7F, 0xFF],
        messageContains: "32767 columns do not fit in 0 bytes"),
    PGBadInputCase(
        name: "DataRow trailing bytes", wire: [0x44, 0, 0, 0, 7, 0, 0, 0x41],
        messageContains: "1 unexpected trailing bytes"),
    PGBadInputCase(
        name: "RowDescription truncated", wire: PGWire.frame("T", PGWire.int16(1) + PGWire.cString("a") + [0, 0]),
        messageContains: "malformed RowDescription ('T') message"),
    PGBadInputCase(
        name: "RowDescription negative count", wire: PGWire.frame("T", PGWire.int16(-3)),
        messageContains: "negative field count -3"),
    PGBadInputCase(
        name: "ReadyForQuery unknown status", wire: [0x5A, 0, 0, 0, 5, 0x58],
        messageContains: "unknown transaction status 0x58 ('X')"),
    PGBadInputCase(
        name: "ReadyForQuery without status", wire: [0x5A, 0, 0, 0, 4],
        messageContains: "truncated before transaction status"),
    PGBadInputCase(
        name: "ReadyForQuery trailing byte", wire: [0x5A, 0, 0, 0, 6, 0x49, 0x49], messageContains: "trailing bytes"),
    PGBadInputCase(
        name: "unknown authentication code", wire: [0x52, 0, 0, 0, 8, 0, 0, 0, 99],
        messageContains: "unknown authentication request code 99"),
    PGBadInputCase(
        name: "MD5 salt too short", wire: [0x52, 0, 0, 0, 10, 0, 0, 0, 5, 1, 2],
        messageContains: "MD5 salt needs 4 bytes"),
    PGBadInputCase(
        name: "SASL list without terminator", wire: PGWire.authentication(10, PGWire.cString("SCRAM-SHA-256")),
        messageContains: "SASL mechanism name is not NUL-terminated"),
    PGBadInputCase(
        name: "CommandComplete without NUL", wire: [0x43, 0, 0, 0, 6, 0x53, 0x45],
        messageContains: "command tag is not NUL-terminated"),
    PGBadInputCase(
        name: "ErrorResponse without final zero", wire: [0x45, 0, 0, 0, 7, 0x4D, 0x78, 0],
        messageContains: "truncated before field type"),
    PGBadInputCase(
        name: "BackendKeyData key too short", wire: [0x4B, 0, 0, 0, 10, 0, 0, 0, 1, 0, 0],
        messageContains: "secret key of 2 bytes"),
    PGBadInputCase(
        name: "EmptyQueryResponse with a body", wire: [0x49, 0, 0, 0, 5, 0], messageContains: "trailing bytes"),
    PGBadInputCase(
        name: "NegotiateProtocolVersion huge count", wire: PGWire.frame("v", PGWire.int32(0) + PGWire.int32(1_000_000)),
        messageContains: "option count 1000000"),
    PGBadInputCase(
        name: "garbage after a good message", wire: PGWire.readyForQueryIdle + [0xFF],
        messageContains: "unknown message type byte 0xFF"),
]

@Test("bad input is a protocol error, whatever the split", arguments: badInputCases)
func pgBadInput(_ testCase: PGBadInputCase) {
    for chunks in pgSplits(testCase.wire) {
        let result = pgDecodeAll(chunks)
        guard case .failure(let error) = result else {
            Issue.record("expected an error, got \(result) for split \(chunks.map(\.count))")
            return
        }
        #expect(error.code == .protocol)
        #expect(error.message.contains(testCase.messageContains), "\(error.message)")
    }
}

@Test("the length limit is configurable and inclusive")
func pgLengthLimit() throws {
    let wire = PGWire.commandComplete("SELECT 1")  // length 13
    #expect(try pgDecodeAll([wire[...]], maxMessageLength: 13).get() == [.commandComplete(.init(tag: "SELECT 1"))])
    #expect(throws: PostgresError.self) { try pgDecodeAll([wire[...]], maxMessageLength: 12).get() }
    // Exactly 1 MiB is fine: the decoder waits for the body.
    var decoder = PostgresMessageDecoder()
    decoder.append([0x44, 0x00, 0x10, 0x00, 0x00])
    #expect(try decoder.next() == nil)
}

@Test("after an error the decoder stays failed")
func pgDecoderStaysFailed() {
    var decoder = PostgresMessageDecoder()
    decoder.append([0x5A, 0xFF, 0xFF, 0xFF, 0xFF])
    #expect(throws: PostgresError.self) { try decoder.next() }
    decoder.append(PGWire.readyForQueryIdle)
    #expect(throws: PostgresError.self) { try decoder.next() }
}

@Test("random garbage never crashes the decoder")
func pgRandomGarbage() {
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    func nextByte() -> UInt8 {
        seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: seed >> 56)
    }
    let typeBytes = PostgresBackendMessage.ID.allCases.map(\.rawValue)
    var decoded = 0
    for round in 0..<3000 {
        var bytes = (0..<Int(nextByte() % 48)).map { _ in nextByte() }
        if round % 2 == 0 && !bytes.isEmpty {
            // Plausible headers: a known type and a small length, random body.
            bytes[0] = typeBytes[Int(nextByte()) % typeBytes.count]
            if bytes.count >= 5 {
                bytes[1] = 0
                bytes[2] = 0
                bytes[3] = 0
                bytes[4] = UInt8(bytes.count - 1)
            }
        }
        if case .success(let messages) = pgDecodeAll([bytes[...]], expectingSSLResponseFirst: round % 7 == 0) {
            decoded += messages.count
        }
    }
    #expect(decoded > 0)
}

@Test("a server's huge error text is cut to about 1 KiB as it is decoded")
func pgErrorTextIsCapped() throws {
    let huge = String(repeating: "x", count: 400_000)  // two of them fit the 1 MiB message limit
    let wire = PGWire.errorResponse([("S", "ERROR"), ("C", "XX000"), ("M", huge), ("D", huge)])
    let messages = try pgDecodeAll([wire[...]]).get()
    guard case .errorResponse(let e)? = messages.first else {
        Issue.record("not an ErrorResponse: \(messages)")
        return
    }
    #expect((e.message?.utf8.count ?? 0) <= 1024 && e.message?.hasSuffix("…") == true)
    #expect((e.detail?.utf8.count ?? 0) <= 1024)
    #expect(e.sqlState == "XX000")
}
