import Testing

@testable import HealthProtocols

struct EncodeCase: Sendable, CustomTestStringConvertible {
    var name: String
    var request: HTTPRequest
    var expected: String

    var testDescription: String { name }
}

private let encodeCases: [EncodeCase] = [
    EncodeCase(
        name: "plain GET on the default port",
        request: HTTPRequest(target: "/health", host: "example.com"),
        expected: "GET /health HTTP/1.1\r\nHost: example.com\r\nUser-Agent: healthd/0.1\r\nAccept: */*\r\n"
            + "Connection: close\r\n\r\n"),
    EncodeCase(
        name: "explicit default port is omitted from Host",
        request: HTTPRequest(target: "/", host: "example.com", port: 80),
        expected: "GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: healthd/0.1\r\nAccept: */*\r\n"
            + "Connection: close\r\n\r\n"),
    EncodeCase(
        name: "non-default port and query",
        request: HTTPRequest(target: "/status?format=json&full=1", host: "127.0.0.1", port: 8080),
        expected: "GET /status?format=json&full=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: healthd/0.1\r\n"
            + "Accept: */*\r\nConnection: close\r\n\r\n"),
    EncodeCase(
        name: "https default port omitted, http port 443 kept",
        request: HTTPRequest(target: "/", host: "svc.internal", port: 443, scheme: .https),
        expected: "GET / HTTP/1.1\r\nHost: svc.internal\r\nUser-Agent: healthd/0.1\r\nAccept: */*\r\n"
            + "Connection: close\r\n\r\n"),
    EncodeCase(
        name: "http on port 443 keeps the port",
        request: HTTPRequest(target: "/", host: "svc.internal", port: 443),
        expected: "GET / HTTP/1.1\r\nHost: svc.internal:443\r\nUser-Agent: healthd/0.1\r\nAccept: */*\r\n"
            + "Connection: close\r\n\r\n"),
    EncodeCase(
        name: "IPv6 literal is bracketed",
        request: HTTPRequest(target: "/", host: "::1", port: 9000),
        expected: "GET / HTTP/1.1\r\nHost: [::1]:9000\r\nUser-Agent: healthd/0.1\r\nAccept: */*\r\n"
            + "Connection: close\r\n\r\n"),
    EncodeCase(
        name: "bracketed IPv6 literal is kept",
        request: HTTPRequest(target: "/", host: "[fe80::1]"),
        expected: "GET / HTTP/1.1\r\nHost: [fe80::1]\r\nUser-Agent: healthd/0.1\r\nAccept: */*\r\n"
            + "Connection: close\r\n\r\n"),
    EncodeCase(
        name: "empty target means /",
        request: HTTPRequest(target: "", host: "h"),
        expected: "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: healthd/0.1\r\nAccept: */*\r\nConnection: close\r\n\r\n"),
    EncodeCase(
        name: "HEAD with extra headers in order",
        request: HTTPRequest(
            method: "HEAD", target: "/", host: "h", headers: [("Authorization", "Bearer abc"), ("X-Trace", "1\t2")]),
        expected: "HEAD / HTTP/1.1\r\nHost: h\r\nUser-Agent: healthd/0.1\r\nAccept: */*\r\n"
            + "Authorization: Bearer abc\r\nX-Trace: 1\t2\r\nConnection: close\r\n\r\n"),
    EncodeCase(
        name: "caller Host, User-Agent and Accept replace the defaults",
        request: HTTPRequest(
            target: "/", host: "10.0.0.1", port: 8443,
            headers: [("host", "api.example.com"), ("Accept", "application/json"), ("User-Agent", "probe/2")]),
        expected: "GET / HTTP/1.1\r\nhost: api.example.com\r\nAccept: application/json\r\nUser-Agent: probe/2\r\n"
            + "Connection: close\r\n\r\n"),
    EncodeCase(
        name: "POST with body gets Content-Length",
        request: HTTPRequest(
            method: "POST", target: "/check", host: "h", headers: [("Content-Type", "application/json")],
            body: Array("{\"a\":1}".utf8)),
        expected: "POST /check HTTP/1.1\r\nHost: h\r\nUser-Agent: healthd/0.1\r\nAccept: */*\r\n"
            + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: 7\r\n\r\n{\"a\":1}"),
    EncodeCase(
        name: "POST without body sends Content-Length: 0",
        request: HTTPRequest(method: "POST", target: "/", host: "h"),
        expected: "POST / HTTP/1.1\r\nHost: h\r\nUser-Agent: healthd/0.1\r\nAccept: */*\r\nConnection: close\r\n"
            + "Content-Length: 0\r\n\r\n"),
    EncodeCase(
        name: "GET with empty body sends Content-Length: 0",
        request: HTTPRequest(target: "/", host: "h", body: []),
        expected: "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: healthd/0.1\r\nAccept: */*\r\nConnection: close\r\n"
            + "Content-Length: 0\r\n\r\n"),
    EncodeCase(
        name: "OPTIONS *",
        request: HTTPRequest(method: "OPTIONS", target: "*", host: "h"),
        expected: "OPTIONS * HTTP/1.1\r\nHost: h\r\nUser-Agent: healthd/0.1\r\nAccept: */*\r\nConnection: close\r\n\r\n"),
    EncodeCase(
        name: "absolute-form target for a proxy",
        request: HTTPRequest(target: "http://backend:8080/health", host: "proxy", port: 3128),
        expected: "GET http://backend:8080/health HTTP/1.1\r\nHost: proxy:3128\r\nUser-Agent: healthd/0.1\r\n"
            + "Accept: */*\r\nConnection: close\r\n\r\n"),
]

@Test(arguments: encodeCases)
func encodesRequest(_ c: EncodeCase) throws {
    let encoded = try c.request.encode()
    #expect(String(decoding: encoded, as: UTF8.self) == c.expected)
}

struct RejectCase: Sendable, CustomTestStringConvertible {
    var name: String
    var request: HTTPRequest
    var code: HTTPRequestError.Code

    var testDescription: String { name }
}

private let rejectCases: [RejectCase] = [
    RejectCase(name: "CRLF in target", request: HTTPRequest(target: "/a\r\nX-Evil: 1", host: "h"), code: .invalidTarget),
    RejectCase(name: "LF in target", request: HTTPRequest(target: "/a\nb", host: "h"), code: .invalidTarget),
    RejectCase(name: "space in target", request: HTTPRequest(target: "/a b", host: "h"), code: .invalidTarget),
    RejectCase(name: "raw UTF-8 in target", request: HTTPRequest(target: "/caf\u{e9}", host: "h"), code: .invalidTarget),
    RejectCase(name: "relative target", request: HTTPRequest(target: "health", host: "h"), code: .invalidTarget),
    RejectCase(name: "CR in header value", request: HTTPRequest(host: "h", headers: [("X-A", "1\rX-B: 2")]), code: .invalidHeaderValue),
    RejectCase(name: "LF in header value", request: HTTPRequest(host: "h", headers: [("X-A", "1\nX-B: 2")]), code: .invalidHeaderValue),
    RejectCase(name: "NUL in header value", request: HTTPRequest(host: "h", headers: [("X-A", "a\u{0}")]), code: .invalidHeaderValue),
    RejectCase(name: "CRLF in header name", request: HTTPRequest(host: "h", headers: [("X-A\r\nX-B", "1")]), code: .invalidHeaderName),
    RejectCase(name: "colon in header name", request: HTTPRequest(host: "h", headers: [("X-A:", "1")]), code: .invalidHeaderName),
    RejectCase(name: "space in header name", request: HTTPRequest(host: "h", headers: [("X A", "1")]), code: .invalidHeaderName),
    RejectCase(name: "empty header name", request: HTTPRequest(host: "h", headers: [("", "1")]), code: .invalidHeaderName),
    RejectCase(name: "caller Connection", request: HTTPRequest(host: "h", headers: [("connection", "keep-alive")]), code: .reservedHeader),
    RejectCase(name: "caller Content-Length", request: HTTPRequest(host: "h", headers: [("Content-Length", "3")]), code: .reservedHeader),
    RejectCase(name: "caller Transfer-Encoding", request: HTTPRequest(host: "h", headers: [("Transfer-Encoding", "chunked")]), code: .reservedHeader),
    RejectCase(name: "CRLF in method", request: HTTPRequest(method: "GET\r\n", host: "h"), code: .invalidMethod),
    RejectCase(name: "empty method", request: HTTPRequest(method: "", host: "h"), code: .invalidMethod),
    RejectCase(name: "CRLF in host", request: HTTPRequest(host: "h\r\nX-Evil: 1"), code: .invalidHost),
    RejectCase(name: "empty host", request: HTTPRequest(host: ""), code: .invalidHost),
    RejectCase(name: "slash in host", request: HTTPRequest(host: "h/x"), code: .invalidHost),
    RejectCase(name: "broken IPv6 literal", request: HTTPRequest(host: "[::1"), code: .invalidHost),
    RejectCase(name: "port zero", request: HTTPRequest(host: "h", port: 0), code: .invalidPort),
    RejectCase(name: "port too large", request: HTTPRequest(host: "h", port: 65536), code: .invalidPort),
]

@Test(arguments: rejectCases)
func rejectsUnsafeRequest(_ c: RejectCase) {
    let error = #expect(throws: HTTPRequestError.self) { try c.request.encode() }
    #expect(error?.code == c.code, "\(String(describing: error))")
}

@Test func encodedRequestRoundTripsThroughAResponseShapedCheck() throws {
    // The request line and each field end in CRLF; the head ends in one empty line.
    let encoded = try HTTPRequest(target: "/x", host: "h", port: 81, headers: [("X-A", "b")]).encode()
    let text = String(decoding: encoded, as: UTF8.self)
    #expect(text.hasSuffix("\r\n\r\n"))
    let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
    #expect(lines.first == "GET /x HTTP/1.1")
    #expect(lines.contains("Host: h:81"))
    #expect(lines.filter { $0.isEmpty }.count == 2)
}
