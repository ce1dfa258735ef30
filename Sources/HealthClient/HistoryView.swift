import Foundation
import HealthCore

/// `healthctl history`: a sparkline of one series over the range, then a time/value table.
package enum HistoryView {
    package static func render(_ doc: [String: Any], style: TerminalStyle, width: Int? = nil) -> String {
        let probe = doc["probe"] as? String ?? "?"
        let series = doc["series"] as? String ?? "latency.p95"
        let points = doc["points"] as? [[String: Any]] ?? []
        let values = points.map { Text.number($0["v"]) }
        let format = formatter(series)
        var lines = [style.bold("\(probe) · \(series) · last \(doc["range"] as? String ?? "?"), \(doc["step"] as? String ?? "?") steps")
            + " (\(points.count) points)"]
        let present = values.compactMap { $0 }
        guard let lo = present.min(), let hi = present.max() else {
            lines.append("no data in this range (has the probe run yet? healthctl status \(probe))")
            return lines.joined(separator: "\n")
        }
        // Room for the labels after the line on a terminal; pipes and files get every point.
        let sparkWidth = width.map { max(10, $0 - 28) }
        lines.append(TextSparkline.render(values, floor: 0, width: sparkWidth) + "  " + style.dim("min \(format(lo)) · max \(format(hi))"))
        lines.append("")
        lines.append(style.dim("time (UTC)         \(Text.padLeft(series, 12))  count"))
        var empty = 0
        for (p, v) in zip(points, values) {
            let count = Text.number(p["count"]).map { Int($0) }
            // Steps before the probe existed (or while it did not run) would bury the rows that matter.
            if v == nil, count ?? 0 == 0 {
                empty += 1
                continue
            }
            let countText = count.map(String.init) ?? "-"
            lines.append("\(shortTime(p["t"] as? String))  \(Text.padLeft(v.map(format) ?? "-", 12))  \(Text.padLeft(countText, 5))")
        }
        if empty > 0 { lines.append(style.dim("(\(empty) step\(empty == 1 ? "" : "s") without runs not listed)")) }
        return lines.joined(separator: "\n")
    }

    /// Each series in its unit: latencies in ms, ratios in %, values as they are.
    static func formatter(_ series: String) -> (Double) -> String {
        if series.hasPrefix("latency") { return Text.ms }
        if series == "availability" || series == "error_rate" { return Text.percent }
        return { formatNumber($0) }
    }

    /// `2026-11-22T10:15:00Z` → `2026-11-22 10:15:00`: the header says UTC.
    static func shortTime(_ iso: String?) -> String {
        guard let iso, iso.count >= 19 else { return Text.pad(iso ?? "-", 19) }
        return String(iso.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }
}
