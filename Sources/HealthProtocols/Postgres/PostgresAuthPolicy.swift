/// Which authentication methods the client accepts from the server: libpq 16's `require_auth`
/// (`password,scram-sha-256`, or `!password` for all but). Without it, everything is accepted
/// except a cleartext password over a connection without TLS: a server that asks for one there
/// may be an impostor fishing for it.
package struct PostgresAuthPolicy: Sendable, Hashable, CustomStringConvertible {
    package enum Method: String, Sendable, Hashable, CaseIterable {
        case password, md5
        case scramSHA256 = "scram-sha-256"
        /// No authentication at all (trust).
        case none
    }

    /// nil: the default policy above.
    package private(set) var allowed: Set<Method>?

    package init() {}

    package init(allowing methods: Set<Method>) { allowed = methods }

    /// Parses `require_auth`'s value; the error says what is wrong with it.
    package init(parsing text: String) throws(PostgresError) {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingPrefix(" ") }
        let negated = items.first?.hasPrefix("!") ?? false
        var methods: Set<Method> = []
        for item in items {
            guard item.hasPrefix("!") == negated else {
                throw PostgresError(.configuration, "require_auth cannot mix negated (!) and plain methods")
            }
            let name = negated ? String(item.dropFirst()) : String(item)
            guard let m = Method(rawValue: name) else {
                let known = Method.allCases.map(\.rawValue).joined(separator: ", ")
                throw PostgresError(.configuration, "require_auth: \"\(name)\" is not one of \(known)")
            }
            methods.insert(m)
        }
        allowed = negated ? Set(Method.allCases).subtracting(methods) : methods
    }

    /// Whether the server may have us use `method` on a connection with or without TLS.
    package func permits(_ method: Method, overTLS: Bool) -> Bool {
        guard let allowed else { return method != .password || overTLS }
        return allowed.contains(method)
    }

    package var description: String {
        guard let allowed else { return "require_auth: default (no cleartext without TLS)" }
        return "require_auth: " + Method.allCases.filter(allowed.contains).map(\.rawValue).joined(separator: ",")
    }
}
