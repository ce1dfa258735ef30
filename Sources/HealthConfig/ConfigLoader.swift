import Foundation
import HealthCore

extension Config {
    package static let defaultPath = "/etc/healthd/healthd.json5"
    static let kinds = ["tcp", "http", "exec", "postgres", "redis", "prometheus"]

    /// Reads and validates a config file; throws `ConfigError` listing every problem found.
    package static func load(path: String) throws(ConfigError) -> Config {
        switch BoundedFile.read(path, limit: JSON5Parser.maxBytes) {
        case .data(let data):
            return try parse(data, file: path)
        case .unreadable:
            throw ConfigError(file: path, issues: [ConfigIssue(path: "", message: "cannot read the file (does it exist, and may healthd read it?)")])
        case .tooLarge:
            throw ConfigError(file: path, issues: [ConfigIssue(path: "", message: "the file is larger than \(JSON5Parser.maxBytes >> 20) MiB; is it the config?")])
        }
    }

    package static func parse(_ data: Data, file: String = "<config>") throws(ConfigError) -> Config {
        let root: JSONValue
        do {
            root = try JSONValue.parse(json5: data)
        } catch {
            // file:line:column first, as compilers write it, so editors can jump there.
            throw ConfigError(file: file, issues: [ConfigIssue(path: "", message: "not valid JSON5: \(file):\(error)")])
        }
        let sink = IssueSink()
        let config = ConfigReader(sink: sink).read(Node(path: "", value: root, sink: sink))
        guard sink.issues.isEmpty, let config else { throw ConfigError(file: file, issues: sink.issues) }
        return config
    }
}

/// Walks the document, collecting every issue rather than stopping at the first.
struct ConfigReader {
    let sink: IssueSink

    func read(_ root: Node) -> Config? {
        guard root.requireObject() else { return nil }
        let output = readOutput(root["output"])
        var parsed: [(probe: ProbeConfig, node: Node)] = []
        var seen: Set<String> = []
        for node in root.required("probes")?.array ?? [] {
            guard let p = ProbeReader(node: node).read() else { continue }
            if !seen.insert(p.name).inserted { node["name"]?.fail("\"\(p.name)\" is used by an earlier probe; names must be unique") }
            parsed.append((p, node))
        }
        for (p, node) in parsed {
            guard let f = p.rules.fallback else { continue }
            if f == p.name { node["fallback"]?.fail("a probe cannot be its own fallback") }
            else if !seen.contains(f) { node["fallback"]?.fail("\"\(f)\" is not a probe") }
        }
        checkDependencies(parsed)
        let probes = parsed.map(\.probe)
        let components = (root["components"]?.array ?? []).compactMap { readComponent($0, probeNames: seen) }
        var componentNames: Set<String> = []
        for (c, node) in zip(components, root["components"]?.array ?? []) where !componentNames.insert(c.name).inserted {
            node["name"]?.fail("\"\(c.name)\" is used by an earlier component")
        }
        let alerting = AlertingReader(probeNames: seen, componentNames: componentNames)
        let state = alerting.readState(root["state"])
        let socket = alerting.readSocket(root["socket"])
        let hooks = alerting.readHooks(root["hooks"])
        let alerts = alerting.readAlerts(root["alerts"], hooks: hooks)
        let silences = alerting.readSilences(root["silences"])
        root.rejectUnknownKeys()
        guard let output else { return nil }
        var config = Config(output: output, probes: probes, components: components)
        (config.state, config.socket, config.hooks, config.alerts, config.silences) = (state, socket, hooks, alerts, silences)
        return config
    }

    /// `depends_on` names existing probes, and following it never comes back (a cycle would
    /// suppress a whole loop of probes while any of them is down).
    private func checkDependencies(_ parsed: [(probe: ProbeConfig, node: Node)]) {
        let parents = Dictionary(parsed.map { ($0.probe.name, $0.probe.rules.dependsOn) }, uniquingKeysWith: { a, _ in a })
        for (p, node) in parsed {
            for (n, parent) in zip(node["depends_on"]?.array ?? [], p.rules.dependsOn) where parents[parent] == nil || parent == p.name {
                n.fail(parent == p.name ? "a probe cannot depend on itself" : "\"\(parent)\" is not a probe")
            }
            guard !p.rules.dependsOn.contains(p.name) else { continue }
            var seen: Set<String> = [p.name], frontier = p.rules.dependsOn
            while let next = frontier.popLast() {
                if next == p.name {
                    node["depends_on"]?.fail("depends on itself through \(p.rules.dependsOn.joined(separator: ", ")): remove the cycle")
                    break
                }
                if seen.insert(next).inserted { frontier += parents[next] ?? [] }
            }
        }
    }

    private func readOutput(_ node: Node?) -> OutputConfig? {
        var out = OutputConfig(dir: "/run/healthd", socket: "/run/healthd/healthd.sock", interval: .seconds(10),
                               windows: MonitorSpec.defaultSnapshotWindows)
        guard let node else { return out }
        guard node.requireObject() else { return nil }
        if let dir = node["dir"]?.string { out.dir = dir }
        if let s = node["socket"] {
            if case .bool(false) = s.value { out.socket = nil } else if let path = s.string { out.socket = path }
        }
        if let i = node["interval"].flatMap(duration) { out.interval = i }
        if let list = node["windows"]?.array {
            out.windows = list.compactMap { n in
                guard let d = duration(n) else { return nil }
                if d > Condition.maxWindow { n.fail("windows cover at most 7d") }
                return d
            }
        }
        node.rejectUnknownKeys()
        return out
    }

    private func readComponent(_ node: Node, probeNames: Set<String>) -> ComponentRules? {
        guard node.requireObject() else { return nil }
        let name = node.required("name")?.string
        let patterns = node.required("probes")?.stringList ?? []
        let critical = node["critical"]?.bool ?? true
        if let list = node["probes"]?.array {
            for (n, p) in zip(list, patterns) where !probeNames.contains(where: { globMatches(p, $0) }) {
                n.fail("\"\(p)\" matches no probe")
            }
        }
        node.rejectUnknownKeys()
        guard let name else { return nil }
        return ComponentRules(name: name, patterns: patterns, critical: critical)
    }
}

/// Parses a duration node, reporting `"10x" is not a duration`.
func duration(_ node: Node) -> TimeSpan? {
    guard let text = node.string else { return nil }
    guard let d = TimeSpan(parsing: text), d.nanoseconds > 0 else {
        node.fail("\"\(text)\" is not a duration (use 250ms, 2s, 5m, 1h, 7d)")
        return nil
    }
    guard d <= longestDuration else {
        node.fail("\"\(text)\" is longer than 100 years (\(longestDuration))")
        return nil
    }
    return d
}

/// Longer than anything meant, yet far from Int64's end: timers armed as the monotonic clock plus a
/// duration (twice, for a probe's first run) stay in range.
let longestDuration = TimeSpan.days(36_525)
