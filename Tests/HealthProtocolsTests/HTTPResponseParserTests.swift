import Testing

@testable import HealthProtocols

// MARK: - Helpers

/// Feeds `chunks` one after another, then signals EOF. Returns the response or the first error.
private func parse(
    _ chunks: [ArraySlice<UInt8>], maxHeaderBytes: Int = 64 * 1024, maxBodyBytes: Int = 1 << 20,
    responseToHEAD: Bool = false
) -> Result<HTTPResponse, HTTPParseError> {
    var parser = HTTPResponseParser(
        maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes, responseToHEAD: responseToHEAD)
    do throws(HTTPParseError) {
        for chunk in chunks {
            _ = try chunk.withUnsafeBytes { buffer in Result { () throws(HTTPParseError) in try parser.feed(buffer) } }.get()
        }
        return .success(try parser.finish())
    } catch {
        return .failure(error)
    }
}

/// Feeds everything without EOF: is the response complete on its own?
private func completesWithoutEOF(_ bytes: [UInt8], maxBodyBytes: Int = 1 << 20, responseToHEAD: Bool = false) -> Bool {
    var parser = HTTPResponseParser(maxBodyBytes: maxBodyBytes, responseToHEAD: responseToHEAD)
    guard let progress = try? parser.feed(bytes) else { return false }
    return progress == .complete && parser.isComplete && parser.response != nil
}

/// The input split into two pieces at every offset, and byte by byte.
private func splits(_ bytes: [UInt8]) -> [[ArraySlice<UInt8>]] {
    var result: [[ArraySlice<UInt8>]] = []
    for cut in 0...bytes.count {
        result.append([bytes[0..<cut], bytes[cut...]])
    }
    result.append(bytes.indices.map { bytes[$0...$0] })
    return result
}

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

private func response(
    _ status: Int, _ reason: String, version: HTTPVersion = .http1_1, headers: [(name: String, value: String)],
    body: String = "", truncated: Bool = false, bodyLength: Int? = nil, trailers: [(name: String, value: String)] = []
) -> HTTPResponse {
    HTTPResponse(
        version: version, status: status, reason: reason, headers: headers, body: bytes(body),
        bodyTruncated: truncated, bodyLength: bodyLength, trailers: trailers)
}

// MARK: - Well-formed responses

struct GoodCase: Sendable, CustomTestStringConvertible {
    var name: String
    var wire: [UInt8]
    var expected: HTTPResponse
    /// False for close-delimited bodies: the response is only complete at EOF.
    var completeBeforeEOF: Bool
    var maxBodyBytes = 1 << 20
    var responseToHEAD = false

    var testDescription: String { name }
}

private let goodCases: [GoodCase] = [
    GoodCase(
        name: "content-length",
        wire: bytes("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"),
        expected: response(200, "OK", headers: [("Content-Type", "text/plain"), ("Content-Length", "5")], body: "hello"),
        completeBeforeEOF: true),
    GoodCase(
        name: "content-length zero",
        wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        expected: response(200, "OK", headers: [("Content-Length", "0")]),
        completeBeforeEOF: true),
    GoodCase(
        name: "repeated identical content-length (list and duplicate field)",
        wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\ncontent-length: 3\r\n\r\nabc"),
        expected: response(200, "OK", headers: [("Content-Length", "3, 3"), ("content-length", "3")], body: "abc"),
        completeBeforeEOF: true),
    GoodCase(
        name: "chunked with extensions and trailers",
        wire: bytes(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n6 ; ext ; q=\"a;b\"\r\n world\r\n0;last\r\nX-Checksum: abc\r\nX-Other:  x y \r\n\r\n"),
        expected: response(
            200, "OK", headers: [("Transfer-Encoding", "chunked")], body: "hello world",
            trailers: [("X-Checksum", "abc"), ("X-Other", "x y")]),
        completeBeforeEOF: true),
    GoodCase(
        name: "chunked with upper-case hex and leading zeros",
        wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n00A\r\n0123456789\r\n1\r\n!\r\n000\r\n\r\n"),
        expected: response(200, "OK", headers: [("Transfer-Encoding", "Chunked")], body: "0123456789!"),
        completeBeforeEOF: true),
    GoodCase(
        name: "transfer-encoding overrides content-length",
        wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"),
        expected: response(
            200, "OK", headers: [("Content-Length", "100"), ("Transfer-Encoding", "gzip, chunked")], body: "ok"),
        completeBeforeEOF: true),
    GoodCase(
        name: "close-delimited HTTP/1.0",
        wire: bytes("HTTP/1.0 200 OK\r\nServer: BaseHTTP/0.6\r\n\r\nbody until close\r\n"),
        expected: response(
            200, "OK", version: .http1_0, headers: [("Server", "BaseHTTP/0.6")], body: "body until close\r\n"),
        completeBeforeEOF: false),
    GoodCase(
        name: "close-delimited because chunked is not the final coding",
        wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\nok"),
        expected: response(200, "OK", headers: [("Transfer-Encoding", "chunked, gzip")], body: "2\r\nok"),
        completeBeforeEOF: false),
    GoodCase(
        name: "close-delimited empty body",
        wire: bytes("HTTP/1.1 503 Service Unavailable\r\n\r\n"),
        expected: response(503, "Service Unavailable", headers: []),
        completeBeforeEOF: false),
    GoodCase(
        name: "empty reason with space",
        wire: bytes("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n"),
        expected: response(200, "", headers: [("Content-Length", "0")]),
        completeBeforeEOF: true),
    GoodCase(
        name: "no reason, no space, 204",
        wire: bytes("HTTP/1.1 204\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n"),
        expected: response(204, "", headers: [("Date", "Mon, 01 Jan 2024 00:00:00 GMT")]),
        completeBeforeEOF: true),
    GoodCase(
        name: "204 ignores content-length",
        wire: bytes("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"),
        expected: response(204, "No Content", headers: [("Content-Length", "10")]),
        completeBeforeEOF: true),
    GoodCase(
        name: "304 has no body",
        wire: bytes("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 1234\r\n\r\n"),
        expected: response(304, "Not Modified", headers: [("ETag", "\"x\""), ("Content-Length", "1234")]),
        completeBeforeEOF: true),
    GoodCase(
        name: "response to HEAD has no body",
        wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"),
        expected: response(200, "OK", headers: [("Content-Length", "1234")]),
        completeBeforeEOF: true, responseToHEAD: true),
    GoodCase(
        name: "100 Continue then 200",
        wire: bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        expected: response(200, "OK", headers: [("Content-Length", "2")], body: "ok"),
        completeBeforeEOF: true),
    GoodCase(
        name: "103 Early Hints with fields, 100, then 404",
        wire: bytes(
            "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"),
        expected: response(404, "Not Found", headers: [("Content-Length", "9")], body: "not found"),
        completeBeforeEOF: true),
    GoodCase(
        name: "bare LF line endings",
        wire: bytes("HTTP/1.1 200 OK\nContent-Length: 2\n\nok"),
        expected: response(200, "OK", headers: [("Content-Length", "2")], body: "ok"),
        completeBeforeEOF: true),
    GoodCase(
        name: "reason with spaces, obs-text and surrounding whitespace in values",
        wire: [UInt8]("HTTP/1.1 500 Internal Server Error \u{00e9}\r\nX-Empty:\r\nX-Tab:\tv\t\r\nContent-Length: 0\r\n\r\n".utf8),
        expected: response(
            500, "Internal Server Error \u{00e9}", headers: [("X-Empty", ""), ("X-Tab", "v"), ("Content-Length", "0")]),
        completeBeforeEOF: true),
    GoodCase(
        name: "bytes after a complete response are ignored",
        wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE\r\n\r\n"),
        expected: response(200, "OK", headers: [("Content-Length", "2")], body: "ok"),
        completeBeforeEOF: true),
    GoodCase(
        name: "oversized content-length body keeps the start and completes",
        wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"),
        expected: response(
            200, "OK", headers: [("Content-Length", "10")], body: "0123", truncated: true, bodyLength: 10),
        completeBeforeEOF: true, maxBodyBytes: 4),
    GoodCase(
        name: "oversized chunked body keeps the start and completes",
        wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\nT: 1\r\n\r\n"),
        expected: response(
            200, "OK", headers: [("Transfer-Encoding", "chunked")], body: "abcd", truncated: true, bodyLength: 6,
            trailers: [("T", "1")]),
        completeBeforeEOF: true, maxBodyBytes: 4),
    GoodCase(
        name: "oversized close-delimited body",
        wire: bytes("HTTP/1.0 200 OK\r\n\r\n0123456789"),
        expected: response(
            200, "OK", version: .http1_0, headers: [], body: "0123", truncated: true, bodyLength: 10),
        completeBeforeEOF: false, maxBodyBytes: 4),
    GoodCase(
        name: "body exactly at the cap is not truncated",
        wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd"),
        expected: response(200, "OK", headers: [("Content-Length", "4")], body: "abcd"),
        completeBeforeEOF: true, maxBodyBytes: 4),
    GoodCase(
        name: "zero body cap",
        wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd"),
        expected: response(200, "OK", headers: [("Content-Length", "4")], truncated: true, bodyLength: 4),
        completeBeforeEOF: true, maxBodyBytes: 0),
]

@Test(arguments: goodCases)
func parsesWellFormedResponseAtEverySplit(_ c: GoodCase) {
    for chunks in splits(c.wire) {
        let result = parse(chunks, maxBodyBytes: c.maxBodyBytes, responseToHEAD: c.responseToHEAD)
        #expect(result == .success(c.expected), "split \(chunks.map(\.count))")
    }
    #expect(completesWithoutEOF(c.wire, maxBodyBytes: c.maxBodyBytes, responseToHEAD: c.responseToHEAD) == c.completeBeforeEOF)
}

// MARK: - Errors

struct BadCase: Sendable, CustomTestStringConvertible {
    var name: String
    var wire: [UInt8]
    var code: HTTPParseError.Code
    var maxHeaderBytes = 64 * 1024

    var testDescription: String { name }
}

private let longField = "X-Long: " + String(repeating: "a", count: 100) + "\r\n"

private let badCases: [BadCase] = [
    // Truncation (EOF before the end).
    BadCase(name: "empty input", wire: [], code: .truncated),
    BadCase(name: "EOF in status line", wire: bytes("HTTP/1.1 200 O"), code: .truncated),
    BadCase(name: "EOF in headers", wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"), code: .truncated),
    BadCase(name: "EOF after interim response", wire: bytes("HTTP/1.1 100 Continue\r\n\r\n"), code: .truncated),
    BadCase(
        name: "EOF mid-body", wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234"), code: .truncated),
    BadCase(
        name: "EOF mid-chunk", wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"),
        code: .truncated),
    BadCase(
        name: "EOF in chunk size line", wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1"),
        code: .truncated),
    BadCase(
        name: "EOF before last chunk", wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"),
        code: .truncated),
    BadCase(
        name: "EOF in trailers", wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n"),
        code: .truncated),
    // Garbage and bad status lines.
    BadCase(name: "SSH banner", wire: bytes("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"), code: .badStatusLine),
    BadCase(name: "HTML without status line", wire: bytes("<html><body>hi</body></html>"), code: .badStatusLine),
    BadCase(name: "TLS alert bytes", wire: [0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46], code: .badStatusLine),
    BadCase(name: "NUL bytes", wire: [UInt8](repeating: 0, count: 32), code: .badStatusLine),
    BadCase(name: "lower-case protocol", wire: bytes("http/1.1 200 OK\r\n\r\n"), code: .badStatusLine),
    BadCase(name: "HTTP/2 status line", wire: bytes("HTTP/2 200\r\n\r\n"), code: .badStatusLine),
    BadCase(name: "HTTP/0.9-style version", wire: bytes("HTTP/0.9 200 OK\r\n\r\n"), code: .badStatusLine),
    BadCase(name: "two-digit status", wire: bytes("HTTP/1.1 20 OK\r\n\r\n"), code: .badStatusLine),
    BadCase(name: "four-digit status", wire: bytes("HTTP/1.1 2000 OK\r\n\r\n"), code: .badStatusLine),
    BadCase(name: "status below 100", wire: bytes("HTTP/1.1 099 Odd\r\n\r\n"), code: .badStatusLine),
    BadCase(name: "non-numeric status", wire: bytes("HTTP/1.1 abc OK\r\n\r\n"), code: .badStatusLine),
    BadCase(name: "short status line", wire: bytes("HTTP/1.1 20\n\n"), code: .badStatusLine),
    BadCase(name: "control byte in reason", wire: bytes("HTTP/1.1 200 O\u{1}K\r\n\r\n"), code: .badStatusLine),
    BadCase(name: "bare CR in status line", wire: bytes("HTTP/1.1 200 O\rK\r\n\r\n"), code: .badStatusLine),
    // Header fields.
    BadCase(name: "obs-fold", wire: bytes("HTTP/1.1 200 OK\r\nX-A: 1\r\n  continued\r\n\r\n"), code: .badHeader),
    BadCase(name: "field without colon", wire: bytes("HTTP/1.1 200 OK\r\nnot a header\r\n\r\n"), code: .badHeader),
    BadCase(name: "space before colon", wire: bytes("HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n"), code: .badHeader),
    BadCase(name: "empty field name", wire: bytes("HTTP/1.1 200 OK\r\n: value\r\n\r\n"), code: .badHeader),
    BadCase(name: "NUL in value", wire: bytes("HTTP/1.1 200 OK\r\nX-A: a\u{0}b\r\n\r\n"), code: .badHeader),
    BadCase(name: "bare CR in field", wire: bytes("HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n"), code: .badHeader),
    BadCase(
        name: "bad trailer field",
        wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nno colon\r\n\r\n"), code: .badHeader),
    // Limits.
    BadCase(
        name: "oversized header", wire: bytes("HTTP/1.1 200 OK\r\n" + longField + "\r\n"), code: .headerTooLarge,
        maxHeaderBytes: 64),
    BadCase(
        name: "endless header line", wire: bytes("HTTP/1.1 200 OK\r\nX: " + String(repeating: "b", count: 500)),
        code: .headerTooLarge, maxHeaderBytes: 256),
    BadCase(
        name: "interim responses count toward the head limit",
        wire: bytes(String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 20)), code: .headerTooLarge,
        maxHeaderBytes: 256),
    BadCase(
        name: "oversized trailers",
        wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + longField + longField + "\r\n"),
        code: .headerTooLarge, maxHeaderBytes: 128),
    // Content-Length.
    BadCase(
        name: "conflicting duplicate content-length",
        wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
        code: .invalidContentLength),
    BadCase(
        name: "conflicting content-length list", wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello"),
        code: .invalidContentLength),
    BadCase(
        name: "negative content-length", wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
        code: .invalidContentLength),
    BadCase(
        name: "signed content-length", wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello"),
        code: .invalidContentLength),
    BadCase(
        name: "non-numeric content-length", wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n"),
        code: .invalidContentLength),
    BadCase(
        name: "empty content-length", wire: bytes("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n"),
        code: .invalidContentLength),
    BadCase(
        name: "overflowing content-length",
        wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n"), code: .invalidContentLength),
    BadCase(
        name: "content-length just past Int.max",
        wire: bytes("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n"), code: .invalidContentLength),
    // Chunked framing.
    BadCase(
        name: "non-hex chunk size", wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        code: .badChunk),
    BadCase(
        name: "negative chunk size", wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n"),
        code: .badChunk),
    BadCase(
        name: "empty chunk size line", wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n"),
        code: .badChunk),
    BadCase(
        name: "overflowing chunk size",
        wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n"), code: .badChunk),
    BadCase(
        name: "junk after chunk size", wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n"),
        code: .badChunk),
    BadCase(
        name: "chunk data longer than its size",
        wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"), code: .badChunk),
    BadCase(
        name: "endless chunk extension",
        wire: bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;" + String(repeating: "e", count: 5000)),
        code: .badChunk),
]

@Test(arguments: badCases)
func rejectsMalformedResponseAtEverySplit(_ c: BadCase) {
    let whole = parse([c.wire[...]], maxHeaderBytes: c.maxHeaderBytes)
    guard case .failure(let error) = whole else {
        Issue.record("expected \(c.code), got \(whole)")
        return
    }
    #expect(error.code == c.code, "\(error)")
    #expect(!error.context.isEmpty)
    // Same error, context included, however the bytes arrive.
    for chunks in splits(c.wire) {
        #expect(parse(chunks, maxHeaderBytes: c.maxHeaderBytes) == .failure(error), "split \(chunks.map(\.count))")
    }
}

// MARK: - Behaviour

@Test func garbageFailsOnFirstByte() {
    var parser = HTTPResponseParser()
    #expect(throws: HTTPParseError.self) { try parser.feed(bytes("S")) }
    // Stays failed, and finish() reports the same error.
    #expect(throws: HTTPParseError(.badStatusLine, "not an HTTP response: starts with \"S\"")) {
        try parser.feed(bytes("HTTP/1.1 200 OK\r\n\r\n"))
    }
    #expect(throws: HTTPParseError(.badStatusLine, "not an HTTP response: starts with \"S\"")) { try parser.finish() }
}

@Test func unsupportedVersionFailsEarly() throws {
    var parser = HTTPResponseParser()
    let error = #expect(throws: HTTPParseError.self) { try parser.feed(bytes("HTTP/2")) }
    #expect(error?.code == .badStatusLine)
    #expect(error?.context.contains("unsupported HTTP version") == true)
}

@Test func headIsAvailableBeforeBodyAndCompletionIsSignalled() throws {
    var parser = HTTPResponseParser()
    #expect(try parser.feed(bytes("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 4\r\n")) == .needMoreData)
    #expect(parser.head == nil)
    #expect(try parser.feed(bytes("\r\nab")) == .needMoreData)
    #expect(parser.head?.status == 503)
    #expect(parser.head?.header("retry-after") == "5")
    #expect(!parser.isComplete && parser.response == nil)
    #expect(try parser.feed(bytes("cd")) == .complete)
    #expect(parser.isComplete)
    let response = try #require(parser.response)
    #expect(response.body == bytes("abcd"))
    #expect(try parser.finish() == response)
    #expect(try parser.feed(bytes("more")) == .complete)
}

@Test func headerLookupIsCaseInsensitive() throws {
    var parser = HTTPResponseParser()
    try parser.feed(bytes("HTTP/1.1 200 OK\r\ncontent-TYPE: application/json\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 0\r\n\r\n"))
    let response = try #require(parser.response)
    #expect(response.header("Content-Type") == "application/json")
    #expect(response.header("CONTENT-type") == "application/json")
    #expect(response.header("Content-Typ") == nil)
    #expect(response.header("X-Missing") == nil)
    #expect(response.headerValues("SET-COOKIE") == ["a=1", "b=2"])
    #expect(response.head.header("content-length") == "0")
}

@Test func emptyFeedIsHarmless() throws {
    var parser = HTTPResponseParser()
    #expect(try parser.feed([]) == .needMoreData)
    try parser.feed(bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
    #expect(try parser.feed([]) == .complete)
}

@Test func errorDescriptionNamesCodeAndContext() {
    let error = HTTPParseError(.badChunk, "invalid chunk size: \"zz\"")
    #expect(error.description == "HTTP response badChunk: invalid chunk size: \"zz\"")
}

@Test func largeChunkedBodyIsCappedAndCompletes() throws {
    // 4 MiB in 1 KiB chunks, delivered in 7-KiB reads; 1 MiB kept.
    var wire = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1024)
    for _ in 0..<4096 {
        wire += bytes("400\r\n") + chunk + bytes("\r\n")
    }
    wire += bytes("0\r\n\r\n")
    var parser = HTTPResponseParser()
    var offset = 0
    while offset < wire.count {
        let end = min(offset + 7 * 1024, wire.count)
        try parser.feed(Array(wire[offset..<end]))
        offset = end
    }
    let response = try #require(parser.response)
    #expect(response.body.count == 1 << 20)
    #expect(response.bodyLength == 4 << 20)
    #expect(response.bodyTruncated)
}

// MARK: - Robustness

/// SplitMix64: deterministic pseudo-random bytes for the fuzz tests.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Test func randomAndMutatedInputNeverCrashesAndIsSplitInvariant() {
    var rng = SplitMix64(state: 0x5EED)
    let seeds = goodCases.map(\.wire)
    for round in 0..<2000 {
        var input: [UInt8]
        if round % 4 == 0 {
            input = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        } else {
            input = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...4, using: &rng) where !input.isEmpty {
                let at = Int.random(in: 0..<input.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: input[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: input.remove(at: at)
                default: input.insert(Array("\r\n:; 0aF-".utf8).randomElement(using: &rng)!, at: at)
                }
            }
        }
        let whole = parse([input[...]], maxHeaderBytes: 128, maxBodyBytes: 16)
        var chunks: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + Int.random(in: 1...9, using: &rng))
            chunks.append(input[offset..<end])
            offset = end
        }
        let pieces = parse(chunks, maxHeaderBytes: 128, maxBodyBytes: 16)
        #expect(whole == pieces, "input \(input)")
    }
}
