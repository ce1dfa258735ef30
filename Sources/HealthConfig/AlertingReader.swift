import HealthCore

/// Reads `state`, `hooks`, `alerts` and `silences`.
struct AlertingReader {
    let probeNames: Set<String>
    let componentNames: Set<String>

    func readState(_ node: Node?) -> StateConfig {
        var s = StateConfig()
        guard let node, node.requireObject() else { return s }
        if let dir = node["dir"]?.string { s.dir = dir }
        if let i = node["checkpoint_interval"].flatMap(duration) { s.checkpointInterval = i }
        if let n = node["audit_max_bytes"], let v = n.int {
            if v < 4096 { n.fail("must be at least 4096") } else { s.auditMaxBytes = v }
        }
        if let n = node["audit_files"], let v = n.int {
            if v < 1 { n.fail("must be at least 1") } else { s.auditFiles = v }
        }
        node.rejectUnknownKeys()
        return s
    }

    func readSocket(_ node: Node?) -> SocketConfig {
        var s = SocketConfig()
        guard let node, node.requireObject() else { return s }
        s.group = node["group"]?.string
        s.adminGroup = node["admin_group"]?.string
        if let n = node["max_clients"], let v = n.int {
            if v < 1 { n.fail("must be at least 1") } else { s.maxClients = v }
        }
        if let t = node["idle_timeout"].flatMap(duration) { s.idleTimeout = t }
        if let n = node["requests_per_second"], let v = n.number {
            if v <= 0 { n.fail("must be more than 0") } else { s.requestsPerSecond = v }
        }
        node.rejectUnknownKeys()
        return s
    }

    func readHooks(_ node: Node?) -> [HookConfig] {
        guard let node, node.requireObject(), case .object(let obj) = node.value else { return [] }
        return obj.keys.sorted().compactMap { name in
            guard let h = node[name], h.requireObject() else { return nil }
            let kind = readHookKind(h)
            h.rejectUnknownKeys()
            return kind.map { HookConfig(name: name, kind: $0) }
        }
    }

    private func readHookKind(_ h: Node) -> HookConfig.Kind? {
        guard let kind = h.required("kind")?.string else { return nil }
        let timeout = h["timeout"].flatMap(duration)
        switch kind {
        case "exec":
            guard let argvNode = h.required("argv"), let argv = argvNode.stringList else { return nil }
            guard argv.first.map({ !$0.isEmpty }) == true else { argvNode.fail("needs at least the program"); return nil }
            let concurrency = h["concurrency"].flatMap { n in n.int.flatMap { $0 >= 1 ? $0 : { n.fail("must be at least 1"); return nil }() } }
            return .exec(ExecHook(argv: argv, timeout: timeout ?? .seconds(10), concurrency: concurrency ?? 2))
        case "webhook":
            guard let ep = endpoint(h.required("url")) else { return nil }
            let headers = stringMap(h["headers"]).map { WebhookHook.Header(name: $0.0, value: $0.1) }
            let secret: [WebhookHook.Header] = orderedObject(h["header_files"]).compactMap { name, n in
                secretFile(n).map { WebhookHook.Header(name: name, value: $0) }
            }
            let retries = h["retries"].flatMap { n in n.int.flatMap { (0...10).contains($0) ? $0 : { n.fail("must be 0…10"); return nil }() } }
            let queue = h["queue"].flatMap { n in n.int.flatMap { $0 >= 1 ? $0 : { n.fail("must be at least 1"); return nil }() } }
            let tls = ep.scheme == "https" ? readTLS(h["tls"]) ?? TLSSettings() : nil
            if ep.scheme != "https", h["tls"] != nil { h["tls"]?.fail("applies to https:// URLs only") }
            return .webhook(WebhookHook(endpoint: ep, tls: tls, headers: headers, secretHeaders: secret, timeout: timeout ?? .seconds(5),
                                        retries: retries ?? 3, backoff: h["backoff"].flatMap(duration) ?? .seconds(1),
                                        queue: queue ?? 100))
        case "alertmanager":
            guard let urls = h.required("urls")?.array else { return nil }
            if urls.isEmpty { h["urls"]?.fail("needs at least one Alertmanager URL") }
            let eps = urls.compactMap(endpoint)
            guard eps.count == urls.count, !eps.isEmpty else { return nil }
            let tls = eps.contains { $0.scheme == "https" } ? readTLS(h["tls"]) ?? TLSSettings() : nil
            if tls == nil, h["tls"] != nil { h["tls"]?.fail("applies to https:// URLs only") }
            return .alertmanager(AlertmanagerHook(endpoints: eps, tls: tls, labels: stringMap(h["labels"]),
                                                  resend: h["resend"].flatMap(duration) ?? .seconds(60),
                                                  timeout: timeout ?? .seconds(5)))
        default:
            h["kind"]?.fail("\"\(kind)\" is not a hook kind (exec, webhook, alertmanager)")
            return nil
        }
    }

    func readAlerts(_ node: Node?, hooks: [HookConfig]) -> [AlertRule] {
        let hookNames = Set(hooks.map(\.name))
        return (node?.array ?? []).compactMap { n in
            guard n.requireObject() else { return nil }
            let probes = patterns(n["probes"], known: probeNames, what: "probe")
            let components = patterns(n["components"], known: componentNames, what: "component")
            let system = n["system"]?.bool ?? false
            if probes.isEmpty, components.isEmpty, !system { n.fail("names nothing to alert on: give probes, components or system: true") }
            var minLevel = Health.degraded
            if let m = n["min_level"], let text = m.string {
                switch text {
                case "degraded": minLevel = .degraded
                case "down": minLevel = .down
                default: m.fail("\"\(text)\" must be degraded or down")
                }
            }
            let hookList = n.required("hooks")?.stringList ?? []
            for (h, name) in zip(n["hooks"]?.array ?? [], hookList) where !hookNames.contains(name) {
                let defined = hookNames.isEmpty ? "none is defined under hooks" : "defined: " + hookNames.sorted().joined(separator: ", ")
                h.fail("\"\(name)\" is not a hook (\(defined))")
            }
            let rule = AlertRule(probes: probes, components: components, system: system, minLevel: minLevel,
                                 holdFor: n["for"].flatMap(duration) ?? TimeSpan(nanoseconds: 0),
                                 repeatEvery: n["repeat"].flatMap(duration), sendResolved: n["send_resolved"]?.bool ?? true,
                                 hooks: hookList)
            n.rejectUnknownKeys()
            return rule
        }
    }

    func readSilences(_ node: Node?) -> [Silence] {
        (node?.array ?? []).enumerated().compactMap { i, n in
            guard n.requireObject() else { return nil }
            let matchers = n.required("match")?.stringList ?? []
            let reason = n.required("reason")?.string ?? ""
            let schedule: Silence.Schedule?
            if let weekly = n["weekly"] {
                schedule = readWeekly(weekly)
            } else {
                let start = n.required("start").flatMap(timestamp)
                let end = n.required("end").flatMap(timestamp)
                if let start, let end, end <= start { n["end"]?.fail("must be after start") }
                if let end, end > Silence.latestEnd { n["end"]?.fail("must be no later than \(Silence.latestEnd.iso8601())") }
                schedule = start.flatMap { s in end.map { .once(start: s, end: $0) } }
            }
            n.rejectUnknownKeys()
            guard let schedule else { return nil }
            return Silence(id: "config-\(i + 1)", matchers: matchers, schedule: schedule, reason: reason, createdBy: "config")
        }
    }

    private static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    private func readWeekly(_ n: Node) -> Silence.Schedule? {
        guard n.requireObject() else { return nil }
        var days: Set<Int> = []
        for d in n.required("days")?.array ?? [] {
            guard let text = d.string else { continue }
            if let i = Self.dayNames.firstIndex(of: String(text.lowercased().prefix(3))), text.count >= 3 { days.insert(i) }
            else { d.fail("\"\(text)\" is not a day (mon, tue, wed, thu, fri, sat, sun)") }
        }
        var start: TimeSpan?
        if let at = n.required("at"), let text = at.string {
            let parts = text.split(separator: ":").map { Int64($0) }
            if parts.count == 2, let h = parts[0], let m = parts[1], (0..<24).contains(h), (0..<60).contains(m) {
                start = .minutes(h * 60 + m)
            } else {
                at.fail("\"\(text)\" is not a time of day in UTC (HH:MM)")
            }
        }
        let length = n.required("duration").flatMap(duration)
        if let length, length > .days(7) { n["duration"]?.fail("is longer than a week") }
        n.rejectUnknownKeys()
        guard let start, let length, !days.isEmpty else { return nil }
        return .weekly(days: days, start: start, duration: length)
    }

    private func timestamp(_ n: Node) -> Timestamp? {
        guard let text = n.string else { return nil }
        guard let t = Timestamp(iso8601: text) else {
            n.fail("\"\(text)\" is not a time (use 2026-11-22T10:00:00Z)")
            return nil
        }
        return t
    }

    private func patterns(_ n: Node?, known: Set<String>, what: String) -> [String] {
        guard let n, let list = n.stringList else { return [] }
        for (item, p) in zip(n.array ?? [], list) where !known.contains(where: { globMatches(p, $0) }) {
            item.fail("\"\(p)\" matches no \(what)")
        }
        return list
    }

    private func endpoint(_ n: Node?) -> Endpoint? {
        guard let n, let text = n.string else { return nil }
        do {
            let ep = try Endpoint(parsing: text)
            guard ep.scheme == "http" || ep.scheme == "https" else { n.fail("must be an http:// or https:// URL"); return nil }
            return ep
        } catch {
            n.fail("\(redactedURL(text)) \(error.message)")
            return nil
        }
    }

    private func orderedObject(_ n: Node?) -> [(String, Node)] {
        guard let n, n.requireObject(), case .object(let obj) = n.value else { return [] }
        return obj.keys.sorted().compactMap { k in n[k].map { (k, $0) } }
    }

    private func stringMap(_ n: Node?) -> [(String, String)] {
        orderedObject(n).compactMap { k, v in v.string.map { (k, $0) } }
    }
}
