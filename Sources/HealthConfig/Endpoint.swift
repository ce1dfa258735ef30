/// `scheme://[user[:password]@]host[:port][/path][?query]`, parsed strictly enough to reject
/// typos and loosely enough for IPv6 literals. The password is kept apart so it can never be printed.
package struct Endpoint: Sendable, Equatable {
    package var scheme: String
    package var user: String?
    package var password: String?
    package var host: String
    package var port: UInt16
    /// Path and query as sent on the wire, `/` at least.
    package var target: String

    static let defaultPorts: [String: UInt16] = [
        "http": 80, "https": 443, "postgres": 5432, "postgresql": 5432, "redis": 6379, "rediss": 6379,
    ]

    /// The URL with any password replaced, for messages and snapshots.
    package var redacted: String {
        let auth = user.map { password == nil ? "\($0)@" : "\($0):***@" } ?? (password == nil ? "" : ":***@")
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(auth)\(h):\(port)\(target == "/" ? "" : target)"
    }

    package init(parsing text: String) throws(EndpointError) {
        guard let sep = text.range(of: "://") else { throw EndpointError("has no scheme (write e.g. http://host:port/path)") }
        scheme = text[..<sep.lowerBound].lowercased()
        var rest = text[sep.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        // "user:pa/ss@host": the / ended the authority early. Say so without quoting any of it.
        if !authority.contains("@"), authority.contains(":"),
           rest[authorityEnd...].prefix(while: { $0 != "?" && $0 != "#" }).contains("@") {
            throw EndpointError("has an @ after a / or ?: a password holding / ? # or @ must be written %2F %3F %23 %40")
        }
        rest = rest[authorityEnd...]
        target = rest.isEmpty ? "/" : (rest.first == "?" ? "/" + rest : String(rest))
        if let at = authority.lastIndex(of: "@") {
            let userinfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userinfo.firstIndex(of: ":") {
                user = userinfo[..<colon].isEmpty ? nil : percentDecoded(userinfo[..<colon])
                password = percentDecoded(userinfo[userinfo.index(after: colon)...])
            } else {
                user = percentDecoded(userinfo)
            }
        }
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw EndpointError("has an unclosed [ in its host") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw EndpointError("has junk after its host") }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else { throw EndpointError("has no host") }
        if let portText {
            // Not quoted: in "user:secret" without an @, the "port" is a password.
            guard let p = UInt16(portText), p > 0 else { throw EndpointError("has a port that is not a number 1-65535") }
            port = p
        } else if let p = Self.defaultPorts[scheme] {
            port = p
        } else {
            throw EndpointError("needs a port (\(scheme)://host:port)")
        }
    }

    /// The query's `key=value` pairs, decoded.
    package var queryItems: [(String, String)] {
        guard let q = target.firstIndex(of: "?") else { return [] }
        return target[target.index(after: q)...].split(separator: "&").map { pair in
            // Empty sides kept: a pair "=" or "=x" has an empty key rather than no element at all.
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (percentDecoded(kv[0]), kv.count > 1 ? percentDecoded(kv[1]) : "")
        }
    }
}

package struct EndpointError: Error, Sendable, Equatable {
    package var message: String
    init(_ message: String) { self.message = message }
}

func percentDecoded(_ s: Substring) -> String {
    var bytes: [UInt8] = []
    var it = Array(s.utf8)[...]
    while let b = it.popFirst() {
        if b == UInt8(ascii: "%"), it.count >= 2, let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
            bytes.append(v)
            it = it.dropFirst(2)
        } else {
            bytes.append(b)
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}
