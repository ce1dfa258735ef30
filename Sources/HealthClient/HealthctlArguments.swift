import Foundation
import HealthCore

/// Parses healthctl's command line: `[--socket PATH] VERB [ARGS] [OPTIONS]`, options anywhere
/// (`--range 24h` or `--range=24h`), `--` ending them. Everything that can be checked without
/// healthd is checked here, so a typo fails at once with a message that says what to type.
package enum HealthctlArguments {
    /// Options that take a value, whatever the verb: knowing this up front lets options come
    /// before the verb, and `--reason --for` read as a missing reason rather than a reason "--for".
    static let valued: Set<String> = Set(Verbs.all.flatMap(\.valued)).union(["--socket"])

    package static func parse(_ args: [String], defaultSocket: String = APIClient.defaultSocket) throws(UsageError) -> Invocation {
        var socket = defaultSocket
        var words: [String] = []
        var options: [String: String] = [:]
        var order: [String] = []
        var help = false
        var i = 0
        var optionsEnded = false
        while i < args.count {
            let arg = args[i]
            i += 1
            if optionsEnded || !arg.hasPrefix("-") || arg == "-" {
                words.append(arg)
                continue
            }
            if arg == "--" { optionsEnded = true; continue }
            if arg == "-h" || arg == "--help" { help = true; continue }
            var name = arg
            var value: String?
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                name = String(arg[..<eq])
                value = String(arg[arg.index(after: eq)...])
            }
            let verb = words.first
            if valued.contains(name) {
                if value == nil {
                    guard i < args.count, !args[i].hasPrefix("--") else {
                        throw UsageError(message: "\(name) needs a value\(example(name).map { ", e.g. \(name) \($0)" } ?? "")", verb: verb)
                    }
                    value = args[i]
                    i += 1
                }
            } else if value != nil {
                throw UsageError(message: "\(name) takes no value", verb: verb)
            }
            if name == "--socket" { socket = value ?? socket; continue }
            if options[name] == nil { order.append(name) }
            options[name] = value ?? ""
        }
        if help { return try helpInvocation(words, socket: socket) }
        guard let verbName = words.first else {
            if let first = order.first { throw UsageError(message: "\(first) needs a verb before it, e.g. healthctl status \(first)", verb: nil) }
            return Invocation(socket: socket, command: .help(verb: nil))
        }
        guard let spec = Verbs.named(verbName) else {
            let hint = Verbs.suggestion(for: verbName).map { " (did you mean \"\($0)\"?)" } ?? ""
            throw UsageError(message: "unknown verb \"\(verbName)\"\(hint)", verb: nil)
        }
        for name in order where !spec.options.contains(name) {
            let takes = spec.options.isEmpty ? "takes no options" : "takes \(spec.options.joined(separator: ", "))"
            throw UsageError(message: "\(spec.name) does not know \(name) (it \(takes))", verb: spec.name)
        }
        let positionals = Array(words.dropFirst())
        guard spec.positionals.contains(positionals.count) else {
            throw UsageError(message: countMessage(spec, got: positionals), verb: spec.name)
        }
        let command = try VerbParser(spec: spec, positionals: positionals, options: options).command()
        return Invocation(socket: socket, command: command)
    }

    private static func helpInvocation(_ words: [String], socket: String) throws(UsageError) -> Invocation {
        // `healthctl help --help` and `healthctl --help help` are the overview too.
        let target = words.first == "help" ? words.dropFirst().first : words.first
        guard let target else { return Invocation(socket: socket, command: .help(verb: nil)) }
        guard Verbs.named(target) != nil else {
            throw UsageError(message: "no help for \"\(target)\": it is not a verb", verb: nil)
        }
        return Invocation(socket: socket, command: .help(verb: target))
    }

    private static func countMessage(_ spec: VerbSpec, got: [String]) -> String {
        if got.count < spec.positionals.lowerBound {
            return "\(spec.name) needs \(spec.positionals.upperBound > 1 ? "at least one" : "a") \(spec.argument): healthctl \(spec.usage)"
        }
        if spec.positionals.upperBound == 0 {
            return "\(spec.name) takes no arguments (got \(got.map { "\"\($0)\"" }.joined(separator: " ")))"
        }
        return "\(spec.name) takes one \(spec.argument) (got \(got.count): \(got.joined(separator: " ")))"
    }

    static func example(_ option: String) -> String? {
        ["--socket": "/run/healthd/healthd.sock", "--range": "24h", "--step": "15m", "--series": "latency.p95",
         "--for": "2h", "--until": "2026-11-22T12:00:00Z", "--start": "2026-11-22T10:00:00Z", "--reason": "'db upgrade'",
         "--limit": "20"][option]
    }
}

/// Turns one verb's arguments and options into a command, checking their values.
private struct VerbParser {
    let spec: VerbSpec
    let positionals: [String]
    let options: [String: String]

    var json: Bool { options["--json"] != nil }
    var first: String { positionals.first ?? "" }

    func command() throws(UsageError) -> Command {
        switch spec.name {
        case "status": return .status(json: json)
        case "snapshot": return .snapshot
        case "watch": return .watch
        case "probe": return .probe(name: first, json: json)
        case "history": return .history(try history())
        case "alerts": return .alerts(json: json)
        case "silences": return .silences(json: json)
        case "audit": return .audit(limit: try limit(), json: json)
        case "run": return .run(probe: first)
        case "silence": return .silence(try silence())
        case "unsilence": return .unsilence(id: first)
        case "reload": return .reload
        case "check-config": return .checkConfig(path: first)
        default:
            if let verb = positionals.first, Verbs.named(verb) == nil {
                throw UsageError(message: "no help for \"\(verb)\": it is not a verb", verb: nil)
            }
            return .help(verb: positionals.first)
        }
    }

    func fail(_ message: String) -> UsageError { UsageError(message: message, verb: spec.name) }

    func history() throws(UsageError) -> HistoryArgs {
        var h = HistoryArgs(probe: first)
        if let range = options["--range"] {
            guard let span = TimeSpan(parsing: range), span.nanoseconds > 0, span <= .days(7) else {
                throw fail("--range \"\(range)\" is not a duration up to 7d (1h, 6h, 24h, 7d)")
            }
            h.range = span
        }
        if let step = options["--step"] {
            guard let span = TimeSpan(parsing: step), span.nanoseconds > 0 else {
                throw fail("--step \"\(step)\" is not a duration (1m, 5m, 15m, 1h)")
            }
            h.step = span
        }
        if let series = options["--series"] {
            guard let named = HistoryRequest.Series(rawValue: series) else {
                throw fail("--series \"\(series)\" is not a series; one of \(HistoryArgs.seriesNames.joined(separator: ", "))")
            }
            h.series = named
        }
        h.json = json
        return h
    }

    func limit() throws(UsageError) -> Int {
        guard let text = options["--limit"] else { return 20 }
        guard let n = Int(text), (1...1000).contains(n) else { throw fail("--limit \"\(text)\" is not a number from 1 to 1000") }
        return n
    }

    func silence() throws(UsageError) -> SilenceArgs {
        var s = SilenceArgs(patterns: positionals)
        switch (options["--for"], options["--until"]) {
        case (nil, nil): throw fail("silence needs --for DURATION or --until TIME, e.g. --for 2h")
        case (.some, .some): throw fail("give --for or --until, not both")
        case (let d?, nil):
            guard let span = TimeSpan(parsing: d), span.nanoseconds > 0 else { throw fail("--for \"\(d)\" is not a duration (30m, 2h, 1d)") }
            s.duration = span
        case (nil, let u?):
            guard let end = Timestamp(iso8601: u) else { throw fail("--until \"\(u)\" is not a time (use 2026-11-22T12:00:00Z)") }
            s.until = end
        }
        if let start = options["--start"] {
            guard let t = Timestamp(iso8601: start) else { throw fail("--start \"\(start)\" is not a time (use 2026-11-22T10:00:00Z)") }
            if let end = s.until, end <= t { throw fail("--until must be after --start") }
            s.start = t
        }
        if let reason = options["--reason"] {
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("--reason is empty; say why, or leave it out") }
            s.reason = reason
        }
        if let empty = s.patterns.first(where: { $0.isEmpty }) { throw fail("a PATTERN is empty (\"\(empty)\")") }
        return s
    }
}
