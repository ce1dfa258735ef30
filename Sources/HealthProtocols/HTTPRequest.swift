// Minimal HTTP/1.1 request encoder for probes, stdlib only.
//
// Produces, in this order:
//   METHOD SP request-target SP HTTP/1.1
//   Host, User-Agent: healthd/0.1, Accept: */*   (each replaced in place by a caller header of the same name)
//   caller headers, in order
//   Connection: close
//   Content-Length (when there is a body, or for POST/PUT/PATCH without one)
//   CRLF, body
//
// Everything is validated before a byte is written: CR, LF, NUL and other control bytes are
// rejected in the method, target, host and header fields, so no caller input can inject lines.

/// Why a request could not be encoded.
package struct HTTPRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Code: String, Sendable, Equatable, CaseIterable {
        /// Empty, or not an RFC 9110 token.
        case invalidMethod
        /// Control bytes, spaces or non-ASCII in the target, or not origin-form / absolute-form / `*`.
        case invalidTarget
        /// Empty, or a byte not allowed in a URI host.
        case invalidHost
        /// Outside 1...65535.
        case invalidPort
        /// Empty, or not an RFC 9110 token.
        case invalidHeaderName
        /// CR, LF, NUL or another control byte (HTAB is allowed).
        case invalidHeaderValue
        /// Connection, Content-Length and Transfer-Encoding are set by the encoder.
        case reservedHeader
    }

    package var code: Code
    package var context: String

    package init(_ code: Code, _ context: String) {
        self.code = code
        self.context = context
    }

    package var description: String { "HTTP request \(code.rawValue): \(context)" }
}

package struct HTTPRequest: Sendable {
    package enum Scheme: String, Sendable, Equatable {
        case http, https

        package var defaultPort: Int { self == .http ? 80 : 443 }
    }

    package static let userAgent = "healthd/0.1"

    package var method: String
    /// Path and query (`/health?verbose=1`); empty means `/`. Absolute-form and `*` are passed through.
    package var target: String
    /// Host name or IP address; an IPv6 address may be given with or without brackets.
    package var host: String
    /// Port for the Host header; nil means the scheme's default.
    package var port: Int?
    /// Only used to decide whether the Host header needs a port.
    package var scheme: Scheme
    /// Extra header fields, in order. A Host, User-Agent or Accept field here replaces the default.
    package var headers: [(String, String)]
    /// Request content; adds Content-Length.
    package var body: [UInt8]?

    package init(
        method: String = "GET", target: String = "/", host: String, port: Int? = nil, scheme: Scheme = .http,
        headers: [(String, String)] = [], body: [UInt8]? = nil
    ) {
        self.method = method
        self.target = target
        self.host = host
        self.port = port
        self.scheme = scheme
        self.headers = headers
        self.body = body
    }

    /// The Host field value: `host`, `host:port` when the port is not the scheme's default, IPv6 in brackets.
    package func hostHeaderValue() throws(HTTPRequestError) -> String {
        guard !host.isEmpty else { throw HTTPRequestError(.invalidHost, "empty host") }
        var hostPart = host
        let bytes = Array(host.utf8)
        if bytes.first == UInt8(ascii: "[") {
            guard bytes.count > 2, bytes.last == UInt8(ascii: "]"),
                bytes.dropFirst().dropLast().allSatisfy(Self.isIPv6Byte)
            else { throw HTTPRequestError(.invalidHost, "malformed IPv6 literal \(HTTPSyntax.escape(bytes))") }
        } else if bytes.contains(HTTPSyntax.colon) {
            guard bytes.allSatisfy(Self.isIPv6Byte) else {
                throw HTTPRequestError(.invalidHost, "invalid host \(HTTPSyntax.escape(bytes))")
            }
            hostPart = "[" + host + "]"
        } else {
            guard bytes.allSatisfy(Self.isRegNameByte) else {
                throw HTTPRequestError(.invalidHost, "invalid host \(HTTPSyntax.escape(bytes))")
            }
        }
        guard let port else { return hostPart }
        guard (1...65535).contains(port) else { throw HTTPRequestError(.invalidPort, "port \(port) out of range") }
        return port == scheme.defaultPort ? hostPart : hostPart + ":" + String(port)
    }

    /// The request as bytes, ready to write.
    package func encode() throws(HTTPRequestError) -> [UInt8] {
        let methodBytes = Array(method.utf8)
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(HTTPSyntax.isTokenByte) else {
            throw HTTPRequestError(.invalidMethod, "invalid method \(HTTPSyntax.escape(methodBytes))")
        }
        let targetBytes: [UInt8] = target.isEmpty ? [UInt8(ascii: "/")] : Array(target.utf8)
        try Self.validateTarget(targetBytes)
        let hostValue = try hostHeaderValue()

        var overridden = (host: false, userAgent: false, accept: false)
        for (name, value) in headers {
            let nameBytes = Array(name.utf8)
            guard !nameBytes.isEmpty, nameBytes.allSatisfy(HTTPSyntax.isTokenByte) else {
                throw HTTPRequestError(.invalidHeaderName, "invalid header name \(HTTPSyntax.escape(nameBytes))")
            }
            guard value.utf8.allSatisfy(HTTPSyntax.isFieldByte) else {
                throw HTTPRequestError(
                    .invalidHeaderValue, "control byte in value of \(name): \(HTTPSyntax.escape(Array(value.utf8)))")
            }
            for reserved in ["Connection", "Content-Length", "Transfer-Encoding"]
            where HTTPSyntax.equalsIgnoringASCIICase(name, reserved) {
                throw HTTPRequestError(.reservedHeader, "\(reserved) is set by the encoder")
            }
            if HTTPSyntax.equalsIgnoringASCIICase(name, "Host") { overridden.host = true }
            if HTTPSyntax.equalsIgnoringASCIICase(name, "User-Agent") { overridden.userAgent = true }
            if HTTPSyntax.equalsIgnoringASCIICase(name, "Accept") { overridden.accept = true }
        }

        var out: [UInt8] = []
        out.reserveCapacity(128 + targetBytes.count + (body?.count ?? 0))
        out.append(contentsOf: methodBytes)
        out.append(HTTPSyntax.sp)
        out.append(contentsOf: targetBytes)
        out.append(contentsOf: " HTTP/1.1\r\n".utf8)
        func field(_ name: String, _ value: String) {
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: value.utf8)
            out.append(contentsOf: "\r\n".utf8)
        }
        if !overridden.host { field("Host", hostValue) }
        if !overridden.userAgent { field("User-Agent", Self.userAgent) }
        if !overridden.accept { field("Accept", "*/*") }
        for (name, value) in headers { field(name, value) }
        field("Connection", "close")
        if let body {
            field("Content-Length", String(body.count))
        } else if ["POST", "PUT", "PATCH"].contains(method) {
            field("Content-Length", "0")
        }
        out.append(contentsOf: "\r\n".utf8)
        if let body { out.append(contentsOf: body) }
        return out
    }

    private static func validateTarget(_ bytes: [UInt8]) throws(HTTPRequestError) {
        // Visible ASCII only: no SP, CTL, DEL or raw UTF-8 (percent-encode it first).
        if let bad = bytes.first(where: { $0 <= 0x20 || $0 >= 0x7F }) {
            throw HTTPRequestError(
                .invalidTarget, "byte \(HTTPSyntax.escape([bad])) not allowed in target \(HTTPSyntax.escape(bytes))")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let isOrigin = bytes.first == UInt8(ascii: "/")
        let isAsterisk = text == "*"
        let isAbsolute = text.hasPrefix("http://") || text.hasPrefix("https://")
        guard isOrigin || isAsterisk || isAbsolute else {
            throw HTTPRequestError(.invalidTarget, "target must start with '/': \(HTTPSyntax.escape(bytes))")
        }
    }

    private static func isIPv6Byte(_ b: UInt8) -> Bool {
        // Hex digits, colons, dots (embedded IPv4), and `%` plus unreserved bytes for a zone id.
        HTTPSyntax.isHexDigit(b) || b == HTTPSyntax.colon || isRegNameByte(b)
    }

    private static func isRegNameByte(_ b: UInt8) -> Bool {
        // RFC 3986 reg-name: unreserved / pct-encoded / sub-delims.
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "%"),
            UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }
}
