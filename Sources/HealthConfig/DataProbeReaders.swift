import Foundation
import HealthCore
import HealthProtocols

/// Readers for the data-source kinds: postgres, redis, prometheus.
extension ProbeReader {
    func readPostgres() -> ProbeTarget? {
        guard let ep = endpoint(schemes: ["postgres", "postgresql"]) else { return nil }
        let security = readPostgresSecurity(ep)
        let path = ep.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        let database = String(path.dropFirst())
        let query = node["query"]?.string
        if let query { readOnlySQL(query, at: node["query"]) }
        var details: DetailsQuery?
        if let d = node["details"], d.requireObject() {
            let q = d.required("query")?.string
            if let q { readOnlySQL(q, at: d["query"]) }
            let limit = d["limit"]?.int ?? 10
            let truncate = d["truncate"]?.int ?? 100
            if !(1...1000).contains(limit) { d["limit"]?.fail("must be 1 to 1000") }
            if truncate < 1 { d["truncate"]?.fail("must be at least 1") }
            d.rejectUnknownKeys()
            if let q { details = DetailsQuery(query: q, limit: limit, truncate: truncate) }
        }
        let password = passwordFile() ?? ep.password
        var check = PostgresCheck(endpoint: ep, user: ep.user ?? "postgres", password: password,
                                  database: database.isEmpty ? (ep.user ?? "postgres") : database,
                                  sslMode: security.sslMode, query: query, details: details)
        check.tls = security.tls
        check.channelBinding = security.channelBinding
        check.authPolicy = security.authPolicy
        return .postgres(check)
    }

    func readRedis() -> ProbeTarget? {
        guard let ep = endpoint(schemes: ["redis", "rediss"]) else { return nil }
        let path = ep.target.split(separator: "?", maxSplits: 1).first.map { String($0.dropFirst()) } ?? ""
        var db = 0
        if !path.isEmpty {
            if let n = Int(path), n >= 0 { db = n } else { node["url"]?.fail("database \"\(path)\" is not a number") }
        }
        var command = ["PING"]
        let field = node["field"]?.string
        if let c = node["command"], let argv = c.stringList {
            if let problem = RedisProbeStateMachine.validateProbeCommand(argv, infoField: field) { c.fail(problem) } else { command = argv }
        } else if field != nil {
            node["field"]?.fail("field applies to INFO only")
        }
        var check = RedisCheck(endpoint: ep, user: ep.user, password: passwordFile() ?? ep.password,
                               database: db, command: command, field: field)
        check.tls = tlsBlock(for: ep, secureScheme: "rediss")
        return .redis(check)
    }

    func readPrometheus() -> ProbeTarget? {
        guard let ep = endpoint(schemes: ["http", "https"]) else { return nil }
        guard let query = node.required("query")?.string else { return nil }
        let requireData = node["require_data"]?.bool ?? false
        var check = PrometheusCheck(endpoint: ep, query: query, requireData: requireData)
        check.tls = tlsBlock(for: ep, secureScheme: "https")
        return .prometheus(check)
    }

    private func passwordFile() -> String? { node["password_file"].flatMap(secretFile) }

    /// Probes only read: a statement that could change data is refused at config time (the
    /// session is also opened read-only, so this is the early, readable half of the guard).
    private func readOnlySQL(_ sql: String, at n: Node?) {
        let code = withoutStringLiterals(sql).lowercased()
        let words = code.split(whereSeparator: { !$0.isLetter && $0 != "_" }).map(String.init)
        guard let first = words.first else { n?.fail("is empty"); return }
        guard ["select", "with", "values", "show", "table"].contains(first) else {
            n?.fail("probes only read: a query must start with SELECT, WITH, VALUES, SHOW or TABLE")
            return
        }
        let writes: Set<String> = ["insert", "update", "delete", "merge", "truncate", "drop", "alter", "create",
                                   "grant", "revoke", "copy", "call", "do", "vacuum", "lock", "nextval", "setval"]
        if let w = words.first(where: writes.contains) { n?.fail("probes only read: \"\(w)\" may change data") }
        let trimmed = code.trimmingCharacters(in: .whitespacesAndNewlines)
        if (trimmed.hasSuffix(";") ? String(trimmed.dropLast()) : trimmed).contains(";") { n?.fail("one statement only") }
    }

    private func withoutStringLiterals(_ sql: String) -> String {
        var out = ""
        var inString = false
        for c in sql {
            if c == "'" { inString.toggle(); continue }
            if !inString { out.append(c) }
        }
        return out
    }
}

func expandEnvironment(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    var out = ""
    var rest = Substring(text)
    while let start = rest.range(of: "${") {
        // An unclosed ${ is kept as written.
        guard let end = rest[start.upperBound...].firstIndex(of: "}") else { break }
        out += rest[..<start.lowerBound]
        out += environment[String(rest[start.upperBound..<end])] ?? ""
        rest = rest[rest.index(after: end)...]
    }
    return out + rest
}
