/// A probe's history for graphs: one point per step over a range, at most 1,000 points.
package struct HistoryRequest: Sendable, Equatable {
    package enum Series: String, Sendable, CaseIterable {
        case availability, errorRate = "error_rate", latencyP50 = "latency.p50", latencyP95 = "latency.p95",
             latencyP99 = "latency.p99", valueAvg = "value.avg", valueMin = "value.min", valueMax = "value.max"
    }

    package static let maxPoints = 1000
    /// The dashboards' steps: 1m for 1h, 5m for 6h, 15m for 24h, 1h for 7d.
    package static let steps: [TimeSpan] = [.minutes(1), .minutes(5), .minutes(15), .hours(1)]

    package var probe: String
    package var range: TimeSpan
    package var step: TimeSpan
    /// nil: every series.
    package var series: Series?

    /// Checks the numbers; `step` nil picks the dashboard step of the shortest of 1h/6h/24h/7d that covers the range.
    package init(probe: String, range: TimeSpan, step: TimeSpan?, series: Series?) throws(HistoryError) {
        guard range.nanoseconds > 0, range <= Condition.maxWindow else {
            throw HistoryError(message: "range \(range) must be more than 0 and at most 7d")
        }
        let spans: [TimeSpan] = [.hours(1), .hours(6), .hours(24), .days(7)]
        let chosen = step ?? zip(spans, Self.steps).first { range <= $0.0 }?.1 ?? .hours(1)
        guard chosen.nanoseconds > 0 else { throw HistoryError(message: "step must be more than 0") }
        guard range.nanoseconds / chosen.nanoseconds < Int64(Self.maxPoints) else {
            throw HistoryError(message: "range \(range) at step \(chosen) is more than \(Self.maxPoints) points; use a longer step")
        }
        (self.probe, self.range, self.step, self.series) = (probe, range, chosen, series)
    }
}

package struct HistoryError: Error, Sendable, Equatable { package var message: String }

extension Monitor {
    /// The points of a probe's history, or nil for an unknown probe.
    package func history(_ request: HistoryRequest, now: Timestamp) -> [ProbeWindows.Point]? {
        guard let i = index(of: request.probe) else { return nil }
        return entries[i].windows.series(range: request.range, step: request.step, now: now)
    }

    /// `{"probe":…, "range":…, "step":…, "points":[{"t":…, …}]}`: every series, or `"v"` for the one asked.
    package func historyJSON(_ request: HistoryRequest, now: Timestamp) -> String? {
        guard let points = history(request, now: now) else { return nil }
        var w = JSONWriter()
        w.beginObject()
        w.field("probe", request.probe)
        w.field("range", request.range.description)
        w.field("step", request.step.description)
        if let s = request.series { w.field("series", s.rawValue) }
        w.key("points")
        w.beginArray()
        for p in points {
            w.beginObject()
            w.field("t", p.start.iso8601())
            w.field("count", p.stats.count)
            if let s = request.series {
                w.field("v", value(of: s, in: p.stats))
            } else {
                for s in HistoryRequest.Series.allCases { w.field(s.rawValue, value(of: s, in: p.stats)) }
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.output
    }

    private func value(of s: HistoryRequest.Series, in stats: WindowStats) -> Double? {
        switch s {
        case .availability: stats.availability
        case .errorRate: stats.errorRate
        case .latencyP50: stats.latencyP50
        case .latencyP95: stats.latencyP95
        case .latencyP99: stats.latencyP99
        case .valueAvg: stats.valueAvg
        case .valueMin: stats.valueMin
        case .valueMax: stats.valueMax
        }
    }

    /// One probe's snapshot entry, as in the snapshot document.
    package func probeJSON(_ name: String, now: Timestamp) -> String? {
        guard let i = index(of: name) else { return nil }
        var uncached = WindowStatsCache()
        let p = probeSnapshot(i, now: now, cache: &uncached)
        var w = JSONWriter()
        w.beginObject()
        w.key(name)
        p.write(to: &w, now: now)
        w.endObject()
        return w.output
    }
}
