import Foundation

/// `healthctl watch`'s screen: the status table, then each probe's latency over its recent runs as
/// a sparkline. The daemon keeps no per-run history on the socket, so the view collects it from the
/// successive snapshots: one value per new `last_run`, nil for a failed run (a gap in the line).
package struct WatchView {
    package static let historyLength = 40

    package private(set) var latency: [String: [Double?]] = [:]
    private var lastRun: [String: String] = [:]

    package init() {}

    /// Takes in one snapshot document; a probe that left the config leaves the view.
    package mutating func ingest(_ doc: [String: Any]) {
        let probes = doc["probes"] as? [String: [String: Any]] ?? [:]
        for name in latency.keys where probes[name] == nil {
            latency[name] = nil
            lastRun[name] = nil
        }
        for (name, p) in probes {
            // A snapshot without a new run (a re-send, or a change elsewhere) adds nothing.
            guard let run = p["last_run"] as? String, run != lastRun[name] else { continue }
            lastRun[name] = run
            let value = p["ok"] as? Bool == false ? nil : Text.number(p["latency_ms"])
            latency[name, default: []].append(value)
            if latency[name]!.count > Self.historyLength { latency[name]!.removeFirst(latency[name]!.count - Self.historyLength) }
        }
    }

    /// The table and the sparklines; `footer` ends the screen (the time and how to quit, on a terminal).
    package func render(json: [UInt8], style: TerminalStyle, footer: String? = nil) -> String {
        var lines = [StatusTable.render(json: json, colour: style.colour)]
        if !latency.isEmpty {
            lines.append("")
            lines.append(style.dim("  latency of the runs seen at each update, last \(Self.historyLength) (a gap: a failed run)"))
            let width = max(24, latency.keys.map(\.count).max() ?? 0)
            for (name, values) in latency.sorted(by: { $0.key < $1.key }) {
                let spark = TextSparkline.render(values, floor: 0)
                let last = values.last.flatMap { $0 }.map(Text.ms) ?? "-"
                let peak = values.compactMap { $0 }.max().map { "max \(Text.ms($0))" } ?? ""
                lines.append("  \(Text.pad(name, width)) \(Text.pad(spark, Self.historyLength))  \(Text.padLeft(last, 8))  \(style.dim(peak))")
            }
        }
        if let footer { lines += ["", style.dim(footer)] }
        return lines.joined(separator: "\n")
    }
}
