/// The parsed response and its parts; the parser is in HTTPResponseParser.swift.

/// The protocol version of a status line: `HTTP/1.0`, `HTTP/1.1`.
package struct HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    package var major: Int
    package var minor: Int

    package init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    package static let http1_0 = HTTPVersion(major: 1, minor: 0)
    package static let http1_1 = HTTPVersion(major: 1, minor: 1)

    package var description: String { "HTTP/\(major).\(minor)" }
}

/// Why a response could not be parsed. `context` says what was seen, with unprintable bytes
/// escaped and long excerpts shortened.
package struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Code: String, Sendable, Equatable, CaseIterable {
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

    package var code: Code
    package var context: String

    package init(_ code: Code, _ context: String) {
        self.code = code
        self.context = context
    }

    package var description: String { "HTTP response \(code.rawValue): \(context)" }
}

/// Status line and header fields of the final (non-1xx) response.
package struct HTTPResponseHead: Sendable, Equatable {
    package var version: HTTPVersion
    package var status: Int
    package var reason: String
    /// Field lines in arrival order, names as sent.
    package var headers: [(name: String, value: String)]

    package init(version: HTTPVersion, status: Int, reason: String, headers: [(name: String, value: String)]) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    /// The first value of the field `name`, compared ASCII case-insensitively.
    package func header(_ name: String) -> String? { HTTPSyntax.first(name, in: headers) }

    /// Every value of the field `name` in arrival order.
    package func headerValues(_ name: String) -> [String] { HTTPSyntax.all(name, in: headers) }

    package static func == (a: HTTPResponseHead, b: HTTPResponseHead) -> Bool {
        a.version == b.version && a.status == b.status && a.reason == b.reason
            && HTTPSyntax.fieldsEqual(a.headers, b.headers)
    }
}

/// A complete response.
package struct HTTPResponse: Sendable, Equatable {
    package var version: HTTPVersion
    package var status: Int
    package var reason: String
    /// Field lines in arrival order, names as sent.
    package var headers: [(name: String, value: String)]
    /// The decoded body (chunked framing removed), at most `maxBodyBytes` long.
    package var body: [UInt8]
    /// True when the body was longer than `maxBodyBytes` and only its start was kept.
    package var bodyTruncated: Bool
    /// Decoded body bytes received, including those dropped past `maxBodyBytes`.
    package var bodyLength: Int
    /// Trailer fields of a chunked body.
    package var trailers: [(name: String, value: String)]

    package init(
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

    package var head: HTTPResponseHead {
        HTTPResponseHead(version: version, status: status, reason: reason, headers: headers)
    }

    /// The first value of the field `name`, compared ASCII case-insensitively.
    package func header(_ name: String) -> String? { HTTPSyntax.first(name, in: headers) }

    /// Every value of the field `name` in arrival order.
    package func headerValues(_ name: String) -> [String] { HTTPSyntax.all(name, in: headers) }

    /// The first trailer field `name`, compared ASCII case-insensitively.
    package func trailer(_ name: String) -> String? { HTTPSyntax.first(name, in: trailers) }

    package static func == (a: HTTPResponse, b: HTTPResponse) -> Bool {
        a.version == b.version && a.status == b.status && a.reason == b.reason
            && a.body == b.body && a.bodyTruncated == b.bodyTruncated && a.bodyLength == b.bodyLength
            && HTTPSyntax.fieldsEqual(a.headers, b.headers) && HTTPSyntax.fieldsEqual(a.trailers, b.trailers)
    }
}
