/// One healthctl verb: what it takes, and the help that explains it. The parser and both help
/// screens read this table, so a verb's options and its documentation cannot drift apart.
struct VerbSpec: Sendable {
    let name: String
    /// One line for the overview.
    let summary: String
    /// The synopsis after `healthctl`.
    let usage: String
    let example: String
    /// More for `healthctl VERB --help`; may be empty.
    let details: String
    /// Options without a value.
    var flags: [String] = []
    /// Options that take a value.
    var valued: [String] = []
    /// How many positional arguments, and what one is called in messages.
    var positionals: ClosedRange<Int> = 0...0
    var argument = ""
    /// Needs an admin on the socket.
    var admin = false

    var options: [String] { flags + valued }
}

enum Verbs {
    static let all: [VerbSpec] = [
        VerbSpec(name: "status", summary: "health as a table (✅ ⚠️ ❌); the exit code is the health",
                 usage: "status [--json]", example: "healthctl status",
                 details: "Exit 0 healthy, 1 degraded, 2 down, 3 unknown (healthd unreachable, or pending: no critical probe has answered yet): usable as a Nagios check.\n--json prints the snapshot document instead of the table (same exit codes).",
                 flags: ["--json"]),
        VerbSpec(name: "snapshot", summary: "the current snapshot document as JSON", usage: "snapshot",
                 example: "healthctl snapshot | jq .probes.api",
                 details: "The same document as <output.dir>/status.json (--json is accepted: it is JSON anyway).",
                 flags: ["--json"]),
        VerbSpec(name: "watch", summary: "live view: the table and each probe's latency sparkline",
                 usage: "watch", example: "healthctl watch",
                 details: "Redrawn on every change (and checked every second for fresh latencies); the sparkline\nshows the latency of each probe's last 40 runs, a gap where a run failed. Ctrl-C quits."),
        VerbSpec(name: "probe", summary: "one probe in full: state, windows, error, attached rows",
                 usage: "probe PROBE [--json]", example: "healthctl probe db_failures",
                 details: "--json prints the server's document ({\"PROBE\": {…}}).",
                 flags: ["--json"], positionals: 1...1, argument: "PROBE"),
        VerbSpec(name: "history", summary: "a probe's history: sparkline and a time/value table",
                 usage: "history PROBE [--range 24h] [--step 15m] [--series latency.p95] [--json]",
                 example: "healthctl history api --range 6h --series error_rate",
                 details: """
                     --range   how far back: up to 7d (default 24h)
                     --step    one point per step (default: 1m for 1h, 5m for 6h, 15m for 24h, 1h for 7d)
                     --series  one of \(HistoryArgs.seriesNames.joined(separator: ", "))
                               (default latency.p95)
                     --json    the server's document: {"probe", "range", "step", "series", "points": [{"t", "count", "v"}]}
                     """,
                 flags: ["--json"], valued: ["--range", "--step", "--series"], positionals: 1...1, argument: "PROBE"),
        VerbSpec(name: "alerts", summary: "alerts firing now, with silences and suppressions",
                 usage: "alerts [--json]", example: "healthctl alerts", details: "", flags: ["--json"]),
        VerbSpec(name: "silences", summary: "silences: configured, weekly and set at run time",
                 usage: "silences [--json]", example: "healthctl silences", details: "", flags: ["--json"]),
        VerbSpec(name: "audit", summary: "the audit trail: operator actions and notifications",
                 usage: "audit [--limit 20] [--json]", example: "healthctl audit --limit 50",
                 details: "The last entries, oldest first (default 20).",
                 flags: ["--json"], valued: ["--limit"]),
        VerbSpec(name: "run", summary: "run a probe now instead of waiting for its interval (admin)",
                 usage: "run PROBE", example: "healthctl run api", details: "",
                 positionals: 1...1, argument: "PROBE", admin: true),
        VerbSpec(name: "silence", summary: "silence alerts of probes matching patterns (admin)",
                 usage: "silence PATTERN... --for 2h|--until ISO [--start ISO] [--reason TEXT]",
                 example: "healthctl silence 'redis*' --for 2h --reason 'redis upgrade'",
                 details: """
                     PATTERN   probe or component names; globs allowed (quote them from the shell)
                     --for     how long from now (or from --start): 30m, 2h, 1d
                     --until   when it ends: 2026-11-22T12:00:00Z
                     --start   when it begins, if not now
                     --reason  shown with the silence (default "set with healthctl by $USER")
                     Prints the silence's id, for unsilence.
                     """,
                 valued: ["--for", "--until", "--start", "--reason"], positionals: 1...Int.max, argument: "PATTERN",
                 admin: true),
        VerbSpec(name: "unsilence", summary: "end a silence now (admin)", usage: "unsilence ID",
                 example: "healthctl unsilence s-1", details: "IDs are listed by healthctl silences.",
                 positionals: 1...1, argument: "ID", admin: true),
        VerbSpec(name: "reload", summary: "re-read the config, as systemctl reload healthd does (admin)",
                 usage: "reload", example: "healthctl reload",
                 details: "An invalid config is refused and the running one stays.", admin: true),
        VerbSpec(name: "check-config", summary: "validate a config file without a running healthd",
                 usage: "check-config FILE", example: "healthctl check-config /etc/healthd/healthd.json5",
                 details: "Exit 0 and \"FILE: ok\" when valid; else exit 1 with each error on stderr, named by its\nfield path (probes[2].interval: \"10x\" is not a duration).",
                 positionals: 1...1, argument: "FILE"),
        VerbSpec(name: "help", summary: "this overview, or one verb's help", usage: "help [VERB]",
                 example: "healthctl help silence", details: "", positionals: 0...1, argument: "VERB"),
    ]

    static func named(_ name: String) -> VerbSpec? { all.first { $0.name == name } }

    /// The verb a mistyped name most likely meant, if one is close.
    static func suggestion(for word: String) -> String? {
        let best = all.map { ($0.name, distance(word, $0.name)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(1, word.count / 3) else { return nil }
        return best.0
    }

    /// Levenshtein distance: verb names are short, so the simple table is plenty.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var diagonal = row[0]
            row[0] = i
            for j in 1...b.count {
                let above = row[j]
                row[j] = min(above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
                diagonal = above
            }
        }
        return row[b.count]
    }
}

enum HelpText {
    static func overview() -> String {
        let width = Verbs.all.map(\.name.count).max() ?? 0
        var lines = [
            "healthctl: ask healthd how the system is, and act on its alerts.",
            "",
            "usage: healthctl [--socket PATH] VERB [ARGS] [OPTIONS]",
            "",
        ]
        for v in Verbs.all {
            lines.append("  \(Text.pad(v.name, width))  \(v.summary)")
            lines.append("  \(String(repeating: " ", count: width))    e.g. \(v.example)")
        }
        lines += [
            "",
            "options:",
            "  --socket PATH   healthd's socket (default \(APIClient.defaultSocket)); allowed anywhere",
            "  --json          where offered, the server's JSON document instead of a table",
            "  -h, --help      this overview; healthctl VERB --help for one verb",
            "",
            "exit codes:",
            "  0  done (status: healthy)",
            "  1  healthd refused the request, or check-config found errors (status: degraded)",
            "  2  usage error (status: down)",
            "  3  healthd unreachable or not answering (status: unknown, also while pending)",
            "",
            "Verbs marked (admin) need root, healthd's own user, or membership of socket.admin_group.",
            "Colour only on a terminal, and never when NO_COLOR is set.",
        ]
        return lines.joined(separator: "\n")
    }

    static func verb(_ v: VerbSpec) -> String {
        var lines = ["usage: healthctl \(v.usage)", "", v.summary]
        if !v.details.isEmpty { lines += ["", v.details] }
        lines += ["", "example: \(v.example)"]
        if v.admin { lines.append("Needs an admin: root, healthd's user, or a member of socket.admin_group.") }
        if v.name != "check-config" && v.name != "help" {
            lines.append("Socket: --socket PATH (default \(APIClient.defaultSocket)).")
        }
        return lines.joined(separator: "\n")
    }
}
