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

package struct HTTPResponseParser: Sendable {
    package enum Progress: Sendable, Equatable {
        /// Keep reading (or call `finish()` at EOF).
        case needMoreData
        /// The response is complete; `response` is set and further bytes are ignored.
        case complete
    }

    /// Limit on the bytes of the response head, 1xx interim heads included; also, separately, on the trailer section.
    package let maxHeaderBytes: Int
    /// Body bytes kept; the rest is counted and dropped.
    package let maxBodyBytes: Int
    /// The request was HEAD: the response has no body whatever its headers say.
    package let responseToHEAD: Bool

    /// Longest accepted chunk-size line (size, extensions and CRLF).
    package static let maxChunkLineBytes = 4096

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

    package init(maxHeaderBytes: Int = 64 * 1024, maxBodyBytes: Int = 1 << 20, responseToHEAD: Bool = false) {
        precondition(maxHeaderBytes > 0 && maxBodyBytes >= 0, "HTTPResponseParser limits must be positive")
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.responseToHEAD = responseToHEAD
    }

    /// True once the response is complete: the caller can stop reading.
    package var isComplete: Bool {
        if case .complete = state { return true }
        return false
    }

    /// The final response's head, as soon as it has been parsed (before the body).
    package var head: HTTPResponseHead? { finalHead }

    /// The response, once complete.
    package var response: HTTPResponse? { isComplete ? makeResponse() : nil }

    /// Consumes bytes read from the connection.
    @discardableResult
    package mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Progress {
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
    package mutating func feed(_ bytes: [UInt8]) throws(HTTPParseError) -> Progress {
        // Array.withUnsafeBytes is untyped `rethrows`; carry the typed error out in a Result.
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(HTTPParseError) -> Progress in try self.feed(buffer) }
        }
        return try result.get()
    }

    /// Call when the peer closed the connection (EOF). Completes a close-delimited body; throws
    /// `.truncated` if the response was cut short. Returns the response if it was already complete.
    package mutating func finish() throws(HTTPParseError) -> HTTPResponse {
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
