import HealthCore

/// Reads one entry of `probes`.
struct ProbeReader {
    let node: Node

    func read() -> ProbeConfig? {
        guard node.requireObject() else { return nil }
        let name = node.required("name")?.string
        if let name, name.isEmpty || name.contains(where: { $0.isWhitespace || $0 == "\"" }) {
            node["name"]?.fail("\"\(name)\" must be non-empty, without spaces or quotes")
        }
        let kind = node.required("kind")?.string
        let interval = node["interval"].flatMap(duration) ?? .seconds(10)
        let timeout = node["timeout"].flatMap(duration) ?? .seconds(2)
        if timeout >= interval {
            (node["timeout"] ?? node).fail("timeout \(timeout) must be less than interval \(interval)")
        }
        let failureThreshold = positive("failure_threshold", default: 3)
        let successThreshold = positive("success_threshold", default: 1)
        let critical = node["critical"]?.bool ?? true
        let degraded = conditions("degraded")
        let down = conditions("down")
        let fallback = node["fallback"]?.string
        let dependsOn = node["depends_on"]?.stringList ?? []
        let slo = node["slo"].flatMap(readSLO)
        let flapping = node["flapping"].flatMap(readFlapping)
        let target = kind.flatMap(readTarget)
        node.rejectUnknownKeys()
        guard let name, let kind, let target else { return nil }
        var rules = ProbeRules(name: name, kind: kind, critical: critical, failureThreshold: failureThreshold,
                               successThreshold: successThreshold, degraded: degraded, down: down, fallback: fallback)
        rules.dependsOn = dependsOn
        rules.slo = slo
        if let (low, high) = flapping { (rules.flapLow, rules.flapHigh) = (low, high) }
        return ProbeConfig(rules: rules, interval: interval, timeout: timeout, target: target)
    }

    /// `slo: {objective: 0.999, windows: [{long: "1h", short: "5m", burn: 14.4, level: "down"}]}`.
    private func readSLO(_ n: Node) -> SLO? {
        guard n.requireObject() else { return nil }
        let objective = n.required("objective")?.number
        if let objective, !(objective > 0 && objective < 1) { n["objective"]?.fail("must be between 0 and 1 (0.999 is 99.9%)") }
        let windows = n["windows"]?.array.map { list in
            list.compactMap { (w: Node) -> SLO.Window? in
                guard w.requireObject() else { return nil }
                let long = w.required("long").flatMap(duration), short = w.required("short").flatMap(duration)
                let burn = w.required("burn")?.number
                let level = w.required("level")?.string
                if let long, let short, short >= long { w["short"]?.fail("must be shorter than long (\(long))") }
                if let long, long > Condition.maxWindow { w["long"]?.fail("windows cover at most 7d") }
                if let burn, burn <= 0 { w["burn"]?.fail("must be more than 0") }
                if let level, level != "degraded", level != "down" { w["level"]?.fail("\"\(level)\" must be degraded or down") }
                w.rejectUnknownKeys()
                guard let long, let short, let burn, let level else { return nil }
                return SLO.Window(long: long, short: short, burn: burn, level: level == "down" ? .down : .degraded)
            }
        }
        n.rejectUnknownKeys()
        guard let objective else { return nil }
        return SLO(objective: objective, windows: windows ?? SLO.defaultWindows)
    }

    /// `flapping: {low: 5, high: 20}` in percent of weighted state changes.
    private func readFlapping(_ n: Node) -> (Double, Double)? {
        guard n.requireObject() else { return nil }
        let low = n.required("low")?.number, high = n.required("high")?.number
        n.rejectUnknownKeys()
        guard let low, let high else { return nil }
        guard 0 <= low, low < high, high <= 100 else { n.fail("needs 0 ≤ low < high ≤ 100 (percent)"); return nil }
        return (low, high)
    }

    private func positive(_ key: String, default value: Int) -> Int {
        guard let n = node[key], let i = n.int else { return value }
        guard i >= 1 else { n.fail("must be at least 1"); return value }
        return i
    }

    private func conditions(_ key: String) -> [Condition] {
        (node[key]?.array ?? []).compactMap { (n: Node) -> Condition? in
            guard let text = n.string else { return nil }
            do throws(ConditionError) { return try Condition(parsing: text) } catch { n.fail(error.message); return nil }
        }
    }

    private func readTarget(kind: String) -> ProbeTarget? {
        switch kind {
        case "tcp":
            guard let ep = endpoint(schemes: ["tcp"]) else { return nil }
            return .tcp(host: ep.host, port: ep.port)
        case "http": return readHTTP()
        case "exec":
            guard let argvNode = node.required("argv"), let argv = argvNode.stringList else { return nil }
            guard let first = argv.first, !first.isEmpty else { argvNode.fail("needs at least the program"); return nil }
            return .exec(argv: argv)
        case "postgres": return readPostgres()
        case "redis": return readRedis()
        case "prometheus": return readPrometheus()
        default:
            node["kind"]?.fail("\"\(kind)\" is not a probe kind (one of \(Config.kinds.joined(separator: ", ")))")
            return nil
        }
    }

    func endpoint(schemes: [String]) -> Endpoint? {
        guard let urlNode = node.required("url"), let text = urlNode.string else { return nil }
        do {
            let ep = try Endpoint(parsing: text)
            guard schemes.contains(ep.scheme) else {
                urlNode.fail("scheme \"\(ep.scheme)\" is not one of \(schemes.joined(separator: ", "))")
                return nil
            }
            return ep
        } catch {
            urlNode.fail("\(redactedURL(text)) \(error.message)")
            return nil
        }
    }

    private func readHTTP() -> ProbeTarget? {
        let ep = endpoint(schemes: ["http", "https"])
        var statuses: [Int] = []
        var bodyContains: [String] = []
        var bodyRegex: String?
        var json: [JSONCheck] = []
        var maxLatency: TimeSpan?
        if let expect = node["expect"], expect.requireObject() {
            for n in expect["status"]?.array ?? [] {
                guard let code = n.int else { continue }
                if (100...599).contains(code) { statuses.append(code) } else { n.fail("\(code) is not an HTTP status") }
            }
            if let c = expect["body_contains"] {
                if case .string(let one) = c.value { bodyContains = [one] } else { bodyContains = c.stringList ?? [] }
            }
            if let r = expect["body_regex"], let pattern = r.string {
                if (try? Regex(pattern)) == nil { r.fail("\"\(pattern)\" is not a regular expression") } else { bodyRegex = pattern }
            }
            json = (expect["json"]?.array ?? []).compactMap(readJSONCheck)
            maxLatency = expect["max_latency"].flatMap(duration)
            expect.rejectUnknownKeys()
        }
        var valueFromJSON: JSONPath?
        if let v = node["value_from_json"], let text = v.string {
            valueFromJSON = JSONPath(parsing: text)
            if valueFromJSON == nil { v.fail("\"\(text)\" is not a JSON path like $.queue.depth or $.items[0].count") }
        }
        var headers: [(String, String)] = []
        if let h = node["headers"], h.requireObject(), case .object(let obj) = h.value {
            for key in obj.keys.sorted() {
                guard let v = h[key]?.string else { continue }
                if (key + v).contains(where: { $0 == "\r" || $0 == "\n" }) { h[key]?.fail("must not contain line breaks") }
                headers.append((key, v))
            }
        }
        let method = node["method"]?.string ?? "GET"
        if !["GET", "HEAD"].contains(method) { node["method"]?.fail("probes only read: GET or HEAD") }
        guard let ep else { return nil }
        var check = HTTPCheck(endpoint: ep, method: method, headers: headers, statuses: statuses)
        check.tls = tlsBlock(for: ep, secureScheme: "https")
        check.bodyContains = bodyContains
        check.bodyRegex = bodyRegex
        check.json = json
        check.maxLatency = maxLatency
        check.valueFromJSON = valueFromJSON
        return .http(check)
    }

    private func readJSONCheck(_ n: Node) -> JSONCheck? {
        guard n.requireObject() else { return nil }
        let pathText = n.required("path")?.string
        let path = pathText.flatMap(JSONPath.init(parsing:))
        if let pathText, path == nil { n["path"]?.fail("\"\(pathText)\" is not a JSON path like $.status") }
        let opText = n["op"]?.string ?? "=="
        let op = Condition.Op(rawValue: opText)
        if op == nil { n["op"]?.fail("\"\(opText)\" is not one of > >= < <= == !=") }
        var expected: JSONCheck.Expected?
        if let v = n.required("value") {
            switch v.value {
            case .string(let s): expected = .string(s)
            case .number(let d): expected = .number(d)
            case .bool(let b): expected = .bool(b)
            default: v.fail("must be a string, number or true/false")
            }
        }
        n.rejectUnknownKeys()
        guard let path, let op, let expected else { return nil }
        if case .string = expected, op != .eq, op != .ne { n["op"]?.fail("text compares with == or != only"); return nil }
        return JSONCheck(path: path, op: op, value: expected)
    }
}

/// The URL as typed, with any password masked: config errors are printed and logged.
func redactedURL(_ text: String) -> String {
    guard let sep = text.range(of: "://") else { return "\"\(text)\"" }
    let rest = text[sep.upperBound...]
    if let at = rest.lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
        return "\"" + text[..<colon] + ":***" + text[at...] + "\""
    }
    // No @: "user:secret" with the host forgotten reads as host and port; mask a port that is not one.
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
    if rest.first != "[", let colon = rest[..<authorityEnd].firstIndex(of: ":"),
       !rest[rest.index(after: colon)..<authorityEnd].allSatisfy(\.isNumber) {
        return "\"" + text[..<colon] + ":***" + text[authorityEnd...] + "\""
    }
    return "\"\(text)\""
}
