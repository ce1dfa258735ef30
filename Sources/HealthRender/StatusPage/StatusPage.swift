import HealthCore

extension StatusPage {
    /// `status.html`: one self-contained page (inline CSS and SVG; no scripts and nothing fetched, which its
    /// Content-Security-Policy also enforces) that the browser reloads every 30 s. Drawn from `snapshot` (its
    /// time is the page's now) and each probe's last day in `monitor` (`Monitor.chartSeries` over `range` at `step`),
    /// reusing the cards `cache` kept from the previous render. A publisher keeps one cache, and starts a new one when
    /// the configuration is reloaded.
    package static func html(_ snapshot: Snapshot, charts monitor: Monitor, cache: inout StatusPageCache) -> String {
        let now = snapshot.generatedAt
        // The last page's length and a little more: the widest card (~5.5 KiB) times every probe is mostly air.
        var page = StatusPage(capacity: cache.pageBytes.map { $0 + $0 / 8 } ?? 16_384 + snapshot.probes.count * 5500)
        page.head(snapshot)
        page.components(snapshot.components, index: { name in snapshot.probes.firstIndex { $0.name == name } })
        page.out += "<h2>Probes</h2><div class=\"grid\">"
        for i in snapshot.probes.indices {
            let p = snapshot.probes[i]
            // The snapshot lists probes in the monitor's order; a name lookup is the fallback.
            let entry = i < monitor.entries.count && monitor.entries[i].rules.name == p.name ? i : monitor.index(of: p.name)
            cache.appendCard(p, charts: entry.map { ChartSource(monitor: monitor, entry: $0) }, id: i, now: now, to: &page)
        }
        // Every probe has a card now, so more cards means some are of probes that are gone.
        if cache.cards.count > snapshot.probes.count {
            let names = Set(snapshot.probes.map(\.name))
            cache.cards = cache.cards.filter { names.contains($0.key) }
        }
        page.out += "</div></main><footer>healthd · refreshes every 30 s · charts: last 24 h in 15-minute steps, "
        page.out += "times in UTC</footer></body></html>\n"
        cache.pageBytes = page.out.utf8.count
        return page.out
    }
}

/// One probe's chart, for a card: its version at once, its points only when the card is drawn.
struct ChartSource {
    let monitor: Monitor
    let entry: Int

    func version(at now: Timestamp) -> ChartVersion { monitor.chartVersion(of: entry, step: StatusPage.step, now: now) }
    func series(at now: Timestamp) -> ChartSeries {
        monitor.chartSeries(of: entry, range: StatusPage.range, step: StatusPage.step, now: now)
    }
}

/// Each probe's chart version at the last render, and its card with what it was drawn from once the chart stayed the
/// same over one render: a card (~25 µs to render, ~3.6 KiB) is drawn again only when its chart or what it shows from
/// the snapshot changed. A probe with a sample between renders — any at 1 s or 10 s — has a new chart every time, so
/// keeping its card would cost memory and save nothing.
package struct StatusPageCache: Sendable {
    struct Kept: Sendable {
        var version: ChartVersion?
        /// The card and what it was drawn from, once the chart stayed the same over one render; boxed, so that a probe
        /// without one takes a reference's 8 bytes in the table, not a card key's ~200.
        var drawn: Drawn?
    }

    final class Drawn: Sendable {
        let key: StatusPage.CardKey
        let card: StatusPage.Card

        init(key: StatusPage.CardKey, card: StatusPage.Card) { (self.key, self.card) = (key, card) }
    }

    var cards: [String: Kept] = [:]
    var pageBytes: Int?

    package init() {}

    /// Appends probe `id`'s card for `p`, its snapshot at `now`, with `charts` as its charts.
    mutating func appendCard(_ p: ProbeSnapshot, charts: ChartSource?, id: Int, now: Timestamp, to page: inout StatusPage) {
        Self.appendCard(&cards[p.name], p, charts: charts, id: id, now: now, to: &page)  // one lookup
    }

    private static func appendCard(_ kept: inout Kept?, _ p: ProbeSnapshot, charts: ChartSource?, id: Int, now: Timestamp,
                                   to page: inout StatusPage) {
        let cert = StatusPage.CertExpiry(p.tls, now: now)
        let version = charts?.version(at: now)
        let sameChart = kept.map { $0.version == version } ?? false
        if sameChart, let drawn = kept?.drawn, drawn.key.matches(p, id: id, cert: cert) {
            return drawn.card.append(to: &page, for: p, now: now)
        }
        let series = charts?.series(at: now)
        let card = StatusPage.card(p, id: id, cert: cert, rules: series?.rules, points: series?.points ?? [])
        card.append(to: &page, for: p, now: now)
        kept = Kept(version: version, drawn: sameChart ? Drawn(key: StatusPage.CardKey(p, id: id, cert: cert), card: card) : nil)
    }
}

/// Appends the page piece by piece into one preallocated string (short appends, not concatenations:
/// those would build a temporary string each).
package struct StatusPage {
    /// What the charts show: the last day in 15-minute steps.
    package static let range = TimeSpan.hours(24), step = TimeSpan.minutes(15)
    /// Details values longer than this are cut (the full text is in status.json).
    static let maxDetailCharacters = 100

    var out = ""
    /// Where a card's text depends on the time (see `Card`).
    var holes: [(at: Int, kind: Card.Hole)] = []  // UTF-8 offsets

    init(capacity: Int) { out.reserveCapacity(capacity) }

    mutating func head(_ s: Snapshot) {
        let health = s.health
        let generated = s.generatedAt.iso8601()
        out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        out += "<meta http-equiv=\"refresh\" content=\"30\">"
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        out += "<meta name=\"color-scheme\" content=\"light dark\">"
        out += "<title>\(Self.mark(health)) \(Self.word(health)) · healthd</title>"
        out += "<style>\(Self.css)</style></head><body><header class=\"band \(Self.cssClass(health))\">"
        out += "<div class=\"band-top\"><h1><span class=\"mark\">\(Self.mark(health))</span> "
        out += health == nil ? "Waiting for first results" : "System \(Self.word(health))"
        out += "</h1><p class=\"gen\">Generated <time datetime=\"\(generated)\">\(generated)</time></p></div>"
        reasons(s.reasons)
        var counts = [0, 0, 0]
        for p in s.probes { if let h = p.health { counts[h.rawValue] += 1 } }
        out += "<p class=\"counts\">\(s.probes.count) probe\(s.probes.count == 1 ? "" : "s")"
        for (n, h) in zip(counts, Health.allCases) where n > 0 { out += " · \(n) \(h)" }
        if s.pendingCount > 0 { out += " · \(s.pendingCount) pending" }
        out += "</p></header><main>"
    }

    mutating func components(_ components: [ComponentSnapshot], index: (String) -> Int?) {
        guard !components.isEmpty else { return }
        out += "<h2>Components</h2><div class=\"grid comps\">"
        for c in components {
            cardTop(name: c.name, health: c.health, id: nil)
            out += c.critical ? "<p class=\"sub\">critical · " : "<p class=\"sub\">non-critical · "
            for (n, name) in c.probes.enumerated() {
                out += n > 0 ? ", <a href=\"#p" : "<a href=\"#p"
                if let i = index(name) { out += String(i) }
                out += "\">"
                appendHTMLEscaped(name, to: &out)
                out += "</a>"
            }
            if c.probes.isEmpty { out += "no probes" }
            out += "</p>"
            reasons(c.reasons)
            out += "</article>"
        }
        out += "</div>"
    }

    mutating func probe(_ p: ProbeSnapshot, id: Int, cert: CertExpiry?, rules: ProbeRules?, points: [ChartPoint]) {
        // A card with a table takes two grid columns on wide screens, so long texts wrap less.
        cardTop(name: p.name, health: p.health, id: id, wide: p.details?.isEmpty == false)
        out += "<p class=\"sub\"><span class=\"kind\">"
        appendHTMLEscaped(p.kind, to: &out)
        out += p.critical ? "</span>" : "</span> · non-critical"
        if p.since != nil, let h = p.health {
            out += " · "
            out += h.description
            out += " for "
            hole(.since)
        }
        out += "</p>"
        if p.pending { out += "<p class=\"muted\">No result yet.</p>" }
        reasons(p.reasons)
        if let e = p.error {
            out += "<p class=\"err\"><b>"
            out += e.category.rawValue
            out += "</b> "
            appendHTMLEscaped(e.message, to: &out)
            out += "</p>"
        }
        if let m = p.message, m != p.error?.message {
            out += "<p class=\"msg\">"
            appendHTMLEscaped(m, to: &out)
            out += "</p>"
        }
        facts(p, cert: cert, points: points)
        charts(points, rules: rules, pending: p.pending)
        if let rows = p.details, !rows.isEmpty { details(rows) }
        out += "</article>"
    }

    /// The card's opening and its title row: name and state badge.
    private mutating func cardTop(name: String, health: Health?, id: Int?, wide: Bool = false) {
        out += wide ? "<article class=\"card wide " : "<article class=\"card "
        out += Self.cssClass(health)
        if let id {
            out += "\" id=\"p"
            out += String(id)
        }
        out += "\"><div class=\"head\"><h3>"
        appendHTMLEscaped(name, to: &out)
        out += "</h3><span class=\"badge\">"
        out += Self.mark(health)
        out += " "
        out += Self.word(health)
        out += "</span></div>"
    }

    private mutating func reasons(_ reasons: [String]) {
        guard !reasons.isEmpty else { return }
        out += "<ul class=\"why\">"
        for r in reasons {
            out += "<li>"
            appendHTMLEscaped(r, to: &out)
            out += "</li>"
        }
        out += "</ul>"
    }

    private mutating func facts(_ p: ProbeSnapshot, cert: CertExpiry?, points: [ChartPoint]) {
        out += "<dl class=\"facts\">"
        if let l = p.latencyMs { fact("Latency", Sparkline.ms(l)) }
        if let v = p.value {
            out += "<div><dt>Value</dt><dd>"
            out += formatNumber(v)
            if let source = p.valueSource {
                out += " <span class=\"note\">via "
                appendHTMLEscaped(source, to: &out)
                out += "</span>"
            }
            if p.staleFor != nil {
                out += " <span class=\"stale\">stale for "
                hole(.stale)
                out += "</span>"
            }
            out += "</dd></div>"
        } else if p.noData {
            fact("Value", "no data")
        }
        // Availability over the charted day, from the same points the chart draws.
        var count = 0, failures = 0
        for point in points { (count, failures) = (count + point.count, failures + point.failures) }
        if count > 0 { fact("Availability 24 h", Sparkline.percent(Double(count - failures) / Double(count))) }
        if p.consecutiveFailures > 0 { fact("Failures in a row", String(p.consecutiveFailures)) }
        if let cert { certificate(cert) }
        if p.lastRun != nil {
            out += "<div><dt>Last run</dt><dd>"
            hole(.lastRun)
            out += " ago</dd></div>"
        }
        out += "</dl>"
    }

    private mutating func fact(_ name: String, _ value: String) {
        out += "<div><dt>"
        out += name
        out += "</dt><dd>"
        out += value
        out += "</dd></div>"
    }

    private mutating func charts(_ points: [ChartPoint], rules: ProbeRules?, pending: Bool) {
        guard points.contains(where: { $0.count > 0 }) else {
            if !pending { out += "<p class=\"muted\">No data in the last 24 h.</p>" }
            return
        }
        out += "<div class=\"charts\">"
        chart(Self.availabilityCaption, Sparkline(
            frame: Self.availabilityFrame, series: [.init(values: points.map { $0.availability }, cssClass: "s-av")],
            thresholds: Sparkline.thresholds(rules, on: .availability), ceiling: 1, format: Sparkline.percent))
        chart(Self.latencyCaption, Sparkline(
            frame: Self.latencyFrame,
            series: [.init(values: points.map { $0.latencyP50 }, cssClass: "s-p50"),
                     .init(values: points.map { $0.latencyP95 }, cssClass: "s-p95"),
                     .init(values: points.map { $0.latencyP99 }, cssClass: "s-p99")],
            thresholds: Sparkline.thresholds(rules, on: .latency), includeZero: true, format: Sparkline.ms))
        chart(Self.valueCaption, Sparkline(
            frame: Self.valueFrame, series: [.init(values: points.map { $0.valueAvg }, cssClass: "s-val")],
            thresholds: Sparkline.thresholds(rules, on: .value), format: Sparkline.compact))
        out += "</div>"
    }

    private static let availabilityFrame = Sparkline.Frame(plotHeight: 240, title: "Availability, last 24 hours")
    private static let latencyFrame = Sparkline.Frame(plotHeight: 480, title: "Latency p50, p95 and p99, last 24 hours")
    private static let valueFrame = Sparkline.Frame(plotHeight: 480, title: "Value (average per step), last 24 hours")
    private static let availabilityCaption = caption("Availability")
    private static let latencyCaption = caption("Latency") + "<span class=\"lg s-p50\">p50</span>"
        + "<span class=\"lg s-p95\">p95</span><span class=\"lg s-p99\">p99</span>"
    private static let valueCaption = caption("Value")
    private static func caption(_ name: String) -> String {
        "<figure class=\"chart\"><figcaption><span class=\"cname\">\(name)</span>"
    }

    /// A chart under its caption (name, series legend, then a legend entry per threshold); nothing without data.
    private mutating func chart(_ caption: String, _ spark: Sparkline) {
        guard let range = spark.yRange() else { return }
        out += caption
        for t in spark.thresholds {
            out += t.down ? "<span class=\"lg t-down\">" : "<span class=\"lg t-deg\">"
            out += spark.format(t.value)
            out += "</span>"
        }
        out += "</figcaption>"
        spark.render(into: &out, range: range)
        out += "</figure>"
    }

    /// The rows a check attached (e.g. the last 10 failures): columns in order of first appearance.
    private mutating func details(_ rows: [DetailRow]) {
        var columns: [String] = []
        for row in rows { for f in row.fields where !columns.contains(f.name) { columns.append(f.name) } }
        out += "<div class=\"details\"><p class=\"cname\">Details · \(rows.count) row\(rows.count == 1 ? "" : "s")</p>"
        out += "<div class=\"scroll\"><table><thead><tr>"
        for c in columns {
            out += "<th>"
            appendHTMLEscaped(c, to: &out)
            out += "</th>"
        }
        out += "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>"
            for c in columns {
                guard let text = row.fields.first(where: { $0.name == c })?.value else {
                    out += "<td class=\"muted\">—</td>"
                    continue
                }
                out += text.utf8.count > 24 ? "<td class=\"long\">" : "<td>"
                appendHTMLEscaped(Self.truncated(text), to: &out)
                out += "</td>"
            }
            out += "</tr>"
        }
        out += "</tbody></table></div></div>"
    }

    /// The first 100 characters and an ellipsis, for longer texts.
    static func truncated(_ text: String) -> String {
        guard let end = text.index(text.startIndex, offsetBy: maxDetailCharacters, limitedBy: text.endIndex),
              end < text.endIndex else { return text }
        return text[..<end] + "…"
    }
}
