// Incremental HTTP/1.1 response parser (RFC 9110 / RFC 9112), stdlib only.
//
// The parser is a value-type state machine: `feed` consumes whatever bytes the socket produced,
// `isComplete` tells the caller it may stop reading (Content-Length reached, last chunk and
// trailers seen, or a body-less status), and `finish` is called when the peer closed the
// connection (it completes a close-delimited body, or reports truncation).
//
// Guarantees:
// - The result (response or error, including the error's context) does not depend on how the
//   input is split: every error is tied to a position in the byte stream, and the parser reports
//   the earliest one.
// - Non-HTTP input fails on the first byte that cannot start `HTTP/1.x NNN`.
// - Memory is bounded by `maxHeaderBytes` (head and, separately, trailers), a 4 KiB chunk-size
//   line, and `maxBodyBytes` of kept body. Body bytes past `maxBodyBytes` are counted and dropped
//   (`bodyTruncated`), and the response still completes.
// - Once an error is thrown, the parser stays failed and rethrows it.
// - Bytes after a complete response are ignored (the request asked for `Connection: close`).

/// The protocol version of a status line: `HTTP/1.0`, `HTTP/1.1`.
public struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/\(major).\(minor)" }
}

/// Why a response could not be parsed. `context` says what was seen, with unprintable bytes
/// escaped and long excerpts shortened.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// The input does not start with a valid `HTTP/1.x NNN [reason]` line (garbage, other protocol, HTTP/2).
        case badStatusLine
        /// A malformed header or trailer field line (no colon, bad name, control bytes, obs-fold).
        case badHeader
        /// The response head (or the trailer section) exceeds `maxHeaderBytes`.
        case headerTooLarge
        /// Content-Length is not a non-negative decimal that fits in `Int`, or copies conflict.
        case invalidContentLength
        /// Malformed chunked framing: chunk size, missing CRLF after chunk data, overlong size line.
        case badChunk
        /// The connection closed before the response was complete.
        case truncated
    }

    public var code: Code
    public var context: String

    public init(_ code: Code, _ context: String) {
        self.code = code
        self.context = context
    }

    public var description: String { "HTTP response \(code.rawValue): \(context)" }
}

/// Status line and header fields of the final (non-1xx) response.
public struct HTTPResponseHead: Sendable, Equatable {
    public var version: HTTPVersion
    public var status: Int
    public var reason: String
    /// Field lines in arrival order, names as sent.
    public var headers: [(name: String, value: String)]

    public init(version: HTTPVersion, status: Int, reason: String, headers: [(name: String, value: String)]) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    /// The first value of the field `name`, compared ASCII case-insensitively.
    public func header(_ name: String) -> String? { HTTPSyntax.first(name, in: headers) }

    /// Every value of the field `name` in arrival order.
    public func headerValues(_ name: String) -> [String] { HTTPSyntax.all(name, in: headers) }

    public static func == (a: HTTPResponseHead, b: HTTPResponseHead) -> Bool {
        a.version == b.version && a.status == b.status && a.reason == b.reason
            && HTTPSyntax.fieldsEqual(a.headers, b.headers)
    }
}

/// A complete response.
public struct HTTPResponse: Sendable, Equatable {
    public var version: HTTPVersion
    public var status: Int
    public var reason: String
    /// Field lines in arrival order, names as sent.
    public var headers: [(name: String, value: String)]
    /// The decoded body (chunked framing removed), at most `maxBodyBytes` long.
    public var body: [UInt8]
    /// True when the body was longer than `maxBodyBytes` and only its start was kept.
    public var bodyTruncated: Bool
    /// Decoded body bytes received, including those dropped past `maxBodyBytes`.
    public var bodyLength: Int
    /// Trailer fields of a chunked body.
    public var trailers: [(name: String, value: String)]

    public init(
        version: HTTPVersion, status: Int, reason: String, headers: [(name: String, value: String)],
        body: [UInt8] = [], bodyTruncated: Bool = false, bodyLength: Int? = nil,
        trailers: [(name: String, value: String)] = []
    ) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.bodyTruncated = bodyTruncated
        self.bodyLength = bodyLength ?? body.count
        self.trailers = trailers
    }

    public var head: HTTPResponseHead {
        HTTPResponseHead(version: version, status: status, reason: reason, headers: headers)
    }

    /// The first value of the field `name`, compared ASCII case-insensitively.
    public func header(_ name: String) -> String? { HTTPSyntax.first(name, in: headers) }

    /// Every value of the field `name` in arrival order.
    public func headerValues(_ name: String) -> [String] { HTTPSyntax.all(name, in: headers) }

    /// The first trailer field `name`, compared ASCII case-insensitively.
    public func trailer(_ name: String) -> String? { HTTPSyntax.first(name, in: trailers) }

    public static func == (a: HTTPResponse, b: HTTPResponse) -> Bool {
        a.version == b.version && a.status == b.status && a.reason == b.reason
            && a.body == b.body && a.bodyTruncated == b.bodyTruncated && a.bodyLength == b.bodyLength
            && HTTPSyntax.fieldsEqual(a.headers, b.headers) && HTTPSyntax.fieldsEqual(a.trailers, b.trailers)
    }
}

public struct HTTPResponseParser: Sendable {
    public enum Progress: Sendable, Equatable {
        /// Keep reading (or call `finish()` at EOF).
        case needMoreData
        /// The response is complete; `response` is set and further bytes are ignored.
        case complete
    }

    /// Limit on the bytes of the response head, 1xx interim heads included; also, separately, on the trailer section.
    public let maxHeaderBytes: Int
    /// Body bytes kept; the rest is counted and dropped.
    public let maxBodyBytes: Int
    /// The request was HEAD: the response has no body whatever its headers say.
    public let responseToHEAD: Bool

    /// Longest accepted chunk-size line (size, extensions and CRLF).
    public static let maxChunkLineBytes = 4096

    private enum State: Sendable {
        case statusLine
        case headerLines
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd(sawCR: Bool)
        case trailers
        case untilClose
        case complete
        case failed(HTTPParseError)
    }

    private var state: State = .statusLine
    /// The line being assembled, without its LF (a CR before the LF is still there).
    private var line: [UInt8] = []
    private var headBytes = 0
    private var trailerBytes = 0

    private var version = HTTPVersion.http1_1
    private var status = 0
    private var reason = ""
    private var headers: [(name: String, value: String)] = []
    private var finalHead: HTTPResponseHead?

    private var body: [UInt8] = []
    private var bodyLength = 0
    private var bodyTruncated = false
    private var trailers: [(name: String, value: String)] = []

    public init(maxHeaderBytes: Int = 64 * 1024, maxBodyBytes: Int = 1 << 20, responseToHEAD: Bool = false) {
        precondition(maxHeaderBytes > 0 && maxBodyBytes >= 0, "HTTPResponseParser limits must be positive")
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.responseToHEAD = responseToHEAD
    }

    /// True once the response is complete: the caller can stop reading.
    public var isComplete: Bool {
        if case .complete = state { return true }
        return false
    }

    /// The final response's head, as soon as it has been parsed (before the body).
    public var head: HTTPResponseHead? { finalHead }

    /// The response, once complete.
    public var response: HTTPResponse? { isComplete ? makeResponse() : nil }

    /// Consumes bytes read from the connection.
    @discardableResult
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Progress {
        do throws(HTTPParseError) {
            var index = 0
            let count = bytes.count
            while index < count {
                switch state {
                case .failed(let error):
                    throw error
                case .complete:
                    return .complete
                case .statusLine, .headerLines, .chunkSize, .trailers:
                    index = try consumeLine(bytes, from: index)
                case .body(let remaining):
                    let take = Swift.min(remaining, count - index)
                    appendBody(bytes, index, index + take)
                    index += take
                    state = remaining == take ? .complete : .body(remaining: remaining - take)
                case .chunkData(let remaining):
                    let take = Swift.min(remaining, count - index)
                    appendBody(bytes, index, index + take)
                    index += take
                    state = remaining == take ? .chunkDataEnd(sawCR: false) : .chunkData(remaining: remaining - take)
                case .chunkDataEnd(let sawCR):
                    let byte = bytes[index]
                    if byte == HTTPSyntax.cr && !sawCR {
                        state = .chunkDataEnd(sawCR: true)
                    } else if byte == HTTPSyntax.lf {
                        state = .chunkSize
                    } else {
                        throw HTTPParseError(.badChunk, "expected CRLF after chunk data, got \(HTTPSyntax.escape([byte]))")
                    }
                    index += 1
                case .untilClose:
                    appendBody(bytes, index, count)
                    index = count
                }
            }
        } catch {
            state = .failed(error)
            throw error
        }
        switch state {
        case .complete: return .complete
        case .failed(let error): throw error
        default: return .needMoreData
        }
    }

    /// Consumes bytes read from the connection.
    @discardableResult
    public mutating func feed(_ bytes: [UInt8]) throws(HTTPParseError) -> Progress {
        // Array.withUnsafeBytes is untyped `rethrows`; carry the typed error out in a Result.
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(HTTPParseError) -> Progress in try self.feed(buffer) }
        }
        return try result.get()
    }

    /// Call when the peer closed the connection (EOF). Completes a close-delimited body; throws
    /// `.truncated` if the response was cut short. Returns the response if it was already complete.
    public mutating func finish() throws(HTTPParseError) -> HTTPResponse {
        let error: HTTPParseError
        switch state {
        case .failed(let failure):
            throw failure
        case .complete:
            return makeResponse()
        case .untilClose:
            state = .complete
            return makeResponse()
        case .statusLine where headBytes == 0:
            error = HTTPParseError(.truncated, "connection closed before any response bytes")
        case .statusLine where line.isEmpty:
            error = HTTPParseError(.truncated, "connection closed after an interim \(status) response")
        case .statusLine, .headerLines:
            error = HTTPParseError(.truncated, "connection closed in the response head after \(headBytes) bytes")
        case .body(let remaining):
            error = HTTPParseError(
                .truncated, "connection closed after \(bodyLength) of \(bodyLength + remaining) body bytes")
        case .chunkSize, .chunkData, .chunkDataEnd:
            error = HTTPParseError(.truncated, "connection closed in chunked body after \(bodyLength) body bytes")
        case .trailers:
            error = HTTPParseError(.truncated, "connection closed in chunked trailer section")
        }
        state = .failed(error)
        throw error
    }

    // MARK: - Lines

    /// Appends bytes up to and including the next LF to `line` (charging them to the section's
    /// limit) and processes the line once its LF has arrived. Returns the index after what it used.
    private mutating func consumeLine(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(HTTPParseError) -> Int {
        let count = bytes.count
        var lf = start
        while lf < count && bytes[lf] != HTTPSyntax.lf { lf += 1 }
        let found = lf < count
        let end = found ? lf + 1 : count

        let allowed: Int
        switch state {
        case .statusLine, .headerLines: allowed = maxHeaderBytes - headBytes
        case .trailers: allowed = maxHeaderBytes - trailerBytes
        default: allowed = Self.maxChunkLineBytes - line.count
        }
        if end - start > allowed {
            // Check what fits first, so the first bad byte wins however the input was split.
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + Swift.max(0, allowed))]))
            try checkPartialLine()
            throw overLimitError()
        }
        line.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<lf]))
        switch state {
        case .statusLine, .headerLines: headBytes += end - start
        case .trailers: trailerBytes += end - start
        default: break
        }
        try checkPartialLine()
        if found {
            defer { line.removeAll(keepingCapacity: true) }
            try processLine()
        }
        return end
    }

    private func overLimitError() -> HTTPParseError {
        switch state {
        case .chunkSize:
            return HTTPParseError(.badChunk, "chunk size line longer than \(Self.maxChunkLineBytes) bytes")
        case .trailers:
            return HTTPParseError(.headerTooLarge, "trailer section exceeds \(maxHeaderBytes) bytes")
        default:
            return HTTPParseError(.headerTooLarge, "response head exceeds \(maxHeaderBytes) bytes")
        }
    }

    /// Rejects a line as soon as its first bytes show it cannot be valid (garbage fails fast).
    private func checkPartialLine() throws(HTTPParseError) {
        switch state {
        case .statusLine:
            try HTTPSyntax.checkStatusLinePrefix(line)
        case .chunkSize:
            if let first = line.first, !HTTPSyntax.isHexDigit(first) {
                throw HTTPParseError(.badChunk, "chunk size does not start with a hex digit: \(HTTPSyntax.escape([first]))")
            }
        default:
            break
        }
    }

    private mutating func processLine() throws(HTTPParseError) {
        var end = line.count
        if end > 0 && line[end - 1] == HTTPSyntax.cr { end -= 1 }
        let content = line[0..<end]
        if content.contains(HTTPSyntax.cr) {
            let code: HTTPParseError.Code
            switch state {
            case .statusLine: code = .badStatusLine
            case .chunkSize: code = .badChunk
            default: code = .badHeader
            }
            throw HTTPParseError(code, "bare CR in line \(HTTPSyntax.escape(content))")
        }
        switch state {
        case .statusLine:
            try parseStatusLine(content)
            state = .headerLines
        case .headerLines:
            if content.isEmpty {
                try headComplete()
            } else {
                headers.append(try HTTPSyntax.parseField(content))
            }
        case .trailers:
            if content.isEmpty {
                state = .complete
            } else {
                trailers.append(try HTTPSyntax.parseField(content))
            }
        case .chunkSize:
            let size = try HTTPSyntax.parseChunkSize(content)
            state = size == 0 ? .trailers : .chunkData(remaining: size)
        default:
            preconditionFailure("processLine outside a line state")
        }
    }

    private mutating func parseStatusLine(_ content: ArraySlice<UInt8>) throws(HTTPParseError) {
        // checkStatusLinePrefix has validated `HTTP/1.d SP ddd` as far as the line goes.
        guard content.count >= 12 else {
            throw HTTPParseError(.badStatusLine, "status line too short: \(HTTPSyntax.escape(content))")
        }
        let base = content.startIndex
        func digit(_ offset: Int) -> Int { Int(content[base + offset] &- 0x30) }
        version = HTTPVersion(major: 1, minor: digit(7))
        status = digit(9) * 100 + digit(10) * 10 + digit(11)
        reason = ""
        if content.count > 12 {
            guard content[base + 12] == HTTPSyntax.sp else {
                throw HTTPParseError(.badStatusLine, "no space after status code: \(HTTPSyntax.escape(content))")
            }
            let phrase = HTTPSyntax.trimmingWhitespace(content[(base + 13)...])
            guard phrase.allSatisfy(HTTPSyntax.isFieldByte) else {
                throw HTTPParseError(.badStatusLine, "control byte in reason phrase: \(HTTPSyntax.escape(content))")
            }
            reason = String(decoding: phrase, as: UTF8.self)
        }
    }

    /// The blank line after the fields: decide how the body is delimited (RFC 9112 §6.3).
    private mutating func headComplete() throws(HTTPParseError) {
        if status < 200 && status != 101 {
            // Interim response (100 Continue, 102, 103): discard and read the next status line.
            headers.removeAll(keepingCapacity: true)
            state = .statusLine
            return
        }
        finalHead = HTTPResponseHead(version: version, status: status, reason: reason, headers: headers)
        if responseToHEAD || status == 101 || status == 204 || status == 304 {
            state = .complete
            return
        }
        let transferCodings = headerValues("transfer-encoding")
        if !transferCodings.isEmpty {
            // Transfer-Encoding overrides Content-Length. Chunked only when it is the final coding;
            // otherwise the body runs to EOF. Other codings (gzip) are not decoded.
            state = HTTPSyntax.isChunkedFinal(transferCodings) ? .chunkSize : .untilClose
            return
        }
        let lengths = headerValues("content-length")
        if lengths.isEmpty {
            state = .untilClose
            return
        }
        let length = try HTTPSyntax.parseContentLength(lengths)
        if length == 0 {
            state = .complete
        } else {
            body.reserveCapacity(Swift.min(length, maxBodyBytes))
            state = .body(remaining: length)
        }
    }

    private func headerValues(_ name: String) -> [String] { HTTPSyntax.all(name, in: headers) }

    // MARK: - Body

    private mutating func appendBody(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) {
        let count = end - start
        guard count > 0 else { return }
        let (sum, overflow) = bodyLength.addingReportingOverflow(count)
        bodyLength = overflow ? Int.max : sum
        let room = maxBodyBytes - body.count
        if room > 0 {
            body.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + Swift.min(room, count))]))
        }
        if count > room { bodyTruncated = true }
    }

    private func makeResponse() -> HTTPResponse {
        let head = finalHead ?? HTTPResponseHead(version: version, status: status, reason: reason, headers: headers)
        return HTTPResponse(
            version: head.version, status: head.status, reason: head.reason, headers: head.headers,
            body: body, bodyTruncated: bodyTruncated, bodyLength: bodyLength, trailers: trailers)
    }
}

// MARK: - Shared syntax helpers (also used by HTTPRequest)

enum HTTPSyntax {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    /// RFC 9110 tchar.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Bytes allowed in a field value or reason phrase: HTAB, SP, VCHAR, obs-text (not CTL, not DEL).
    static func isFieldByte(_ b: UInt8) -> Bool { b == htab || (b >= 0x20 && b != 0x7F) }

    static func isWhitespace(_ b: UInt8) -> Bool { b == sp || b == htab }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    static func isHexDigit(_ b: UInt8) -> Bool { hexValue(b) != nil }

    static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: return Int(b - 0x30)
        case 0x41...0x46: return Int(b - 0x41 + 10)
        case 0x61...0x66: return Int(b - 0x61 + 10)
        default: return nil
        }
    }

    static func lowercased(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }

    static func equalsIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        var ai = a.utf8.makeIterator()
        var bi = b.utf8.makeIterator()
        while true {
            switch (ai.next(), bi.next()) {
            case (nil, nil): return true
            case let (x?, y?): if lowercased(x) != lowercased(y) { return false }
            default: return false
            }
        }
    }

    static func first(_ name: String, in fields: [(name: String, value: String)]) -> String? {
        fields.first { equalsIgnoringASCIICase($0.name, name) }?.value
    }

    static func all(_ name: String, in fields: [(name: String, value: String)]) -> [String] {
        fields.compactMap { equalsIgnoringASCIICase($0.name, name) ? $0.value : nil }
    }

    static func fieldsEqual(_ a: [(name: String, value: String)], _ b: [(name: String, value: String)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    static func trimmingWhitespace(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = s.startIndex
        var hi = s.endIndex
        while lo < hi && isWhitespace(s[lo]) { lo += 1 }
        while hi > lo && isWhitespace(s[hi - 1]) { hi -= 1 }
        return s[lo..<hi]
    }

    /// Printable excerpt for error contexts: ASCII kept, the rest escaped, at most 64 bytes.
    static func escape<C: Collection<UInt8>>(_ bytes: C) -> String {
        var out = "\""
        for (n, b) in bytes.enumerated() {
            if n == 64 {
                out += "...(\(bytes.count) bytes)"
                break
            }
            switch b {
            case cr: out += "\\r"
            case lf: out += "\\n"
            case htab: out += "\\t"
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789abcdef".unicodeScalars)
                out += "\\x"
                out.unicodeScalars.append(hex[Int(b >> 4)])
                out.unicodeScalars.append(hex[Int(b & 0xF)])
            }
        }
        return out + "\""
    }

    private static let statusLineLiteral: [UInt8] = Array("HTTP/1.".utf8)

    /// Validates as much of `HTTP/1.d SP ddd` as `line` holds, so garbage is rejected on its first bad byte.
    static func checkStatusLinePrefix(_ line: [UInt8]) throws(HTTPParseError) {
        for (offset, byte) in line.prefix(12).enumerated() {
            let ok: Bool
            switch offset {
            case 0..<7: ok = byte == statusLineLiteral[offset]
            case 7, 10, 11: ok = isDigit(byte)
            case 8: ok = byte == sp
            default: ok = byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9")
            }
            if !ok {
                let seen = escape(line.prefix(offset + 1))
                switch offset {
                case 0..<5: throw HTTPParseError(.badStatusLine, "not an HTTP response: starts with \(seen)")
                case 5...7: throw HTTPParseError(.badStatusLine, "unsupported HTTP version: \(seen)")
                default: throw HTTPParseError(.badStatusLine, "malformed status line: \(seen)")
                }
            }
        }
    }

    /// `name: OWS value OWS`. Obsolete line folding and whitespace before the colon are rejected.
    static func parseField(_ content: ArraySlice<UInt8>) throws(HTTPParseError) -> (name: String, value: String) {
        guard let first = content.first, !isWhitespace(first) else {
            throw HTTPParseError(.badHeader, "obsolete line folding is not supported: \(escape(content))")
        }
        guard let colon = content.firstIndex(of: HTTPSyntax.colon) else {
            throw HTTPParseError(.badHeader, "field line without colon: \(escape(content))")
        }
        let name = content[content.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
            throw HTTPParseError(.badHeader, "invalid field name: \(escape(content))")
        }
        let value = trimmingWhitespace(content[(colon + 1)...])
        guard value.allSatisfy(isFieldByte) else {
            throw HTTPParseError(.badHeader, "control byte in field value: \(escape(content))")
        }
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// All Content-Length fields, each possibly a list (`5, 5`): every element must be the same
    /// non-negative decimal that fits in `Int` (RFC 9110 §8.6).
    static func parseContentLength(_ values: [String]) throws(HTTPParseError) -> Int {
        var result: Int?
        for value in values {
            for element in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let digits = trimmingWhitespace(ArraySlice(element))
                guard !digits.isEmpty, digits.allSatisfy(isDigit) else {
                    throw HTTPParseError(.invalidContentLength, "Content-Length is not a non-negative integer: \(escape(Array(value.utf8)))")
                }
                var n = 0
                for d in digits {
                    let (times10, o1) = n.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(Int(d - 0x30))
                    if o1 || o2 {
                        throw HTTPParseError(.invalidContentLength, "Content-Length too large: \(escape(Array(value.utf8)))")
                    }
                    n = sum
                }
                if let previous = result, previous != n {
                    throw HTTPParseError(.invalidContentLength, "conflicting Content-Length values \(previous) and \(n)")
                }
                result = n
            }
        }
        guard let length = result else {
            throw HTTPParseError(.invalidContentLength, "empty Content-Length")
        }
        return length
    }

    /// True when the last transfer coding listed is `chunked`.
    static func isChunkedFinal(_ values: [String]) -> Bool {
        for value in values.reversed() {
            let codings = value.utf8.split(separator: UInt8(ascii: ","))
            for coding in codings.reversed() {
                let trimmed = trimmingWhitespace(ArraySlice(coding))
                if trimmed.isEmpty { continue }
                return equalsIgnoringASCIICase(String(decoding: trimmed, as: UTF8.self), "chunked")
            }
        }
        return false
    }

    /// `1*HEXDIG [BWS] [; extensions]`. Extensions are ignored.
    static func parseChunkSize(_ content: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        var index = content.startIndex
        var size = 0
        while index < content.endIndex, let digit = hexValue(content[index]) {
            let (times16, o1) = size.multipliedReportingOverflow(by: 16)
            let (sum, o2) = times16.addingReportingOverflow(digit)
            if o1 || o2 {
                throw HTTPParseError(.badChunk, "chunk size too large: \(escape(content))")
            }
            size = sum
            index += 1
        }
        guard index > content.startIndex else {
            throw HTTPParseError(.badChunk, "missing chunk size: \(escape(content))")
        }
        while index < content.endIndex && isWhitespace(content[index]) { index += 1 }
        guard index == content.endIndex || content[index] == UInt8(ascii: ";") else {
            throw HTTPParseError(.badChunk, "invalid chunk size: \(escape(content))")
        }
        return size
    }
}
