import Foundation
@testable import HealthCore
@testable import HealthRender
import Testing

/// A page rendered the daemon's way: from a snapshot and the probes' charts, with the cards of the last render.
extension Monitor {
    func statusPageHTML(now: Timestamp) -> String {
        var cache = StatusPageCache()
        return statusPageHTML(snapshot(now: now), cache: &cache)
    }

    func statusPageHTML(_ s: Snapshot, cache: inout StatusPageCache) -> String {
        StatusPage.html(s, charts: self, cache: &cache)
    }
}

@Suite struct StatusPageTests {
    let now = Timestamp(seconds: 1_795_341_600)  // 2026-11-22T10:00:00Z

    func c(_ text: String) throws -> Condition { try Condition(parsing: text) }

    /// A monitor whose probes got one sample a minute for the last `minutes` minutes from `sample`
    /// (probe index, minutes ago; nil: no sample).
    func monitor(_ probes: [ProbeRules], minutes: Int = 30, components: [ComponentRules] = [],
                 _ sample: (Int, Int) -> Sample?) -> Monitor {
        var m = Monitor(spec: MonitorSpec(probes: probes, components: components))
        for ago in stride(from: minutes, through: 0, by: -1) {
            for i in probes.indices { if let s = sample(i, ago) { m.ingest(s, probe: i) } }
        }
        return m
    }

    func at(_ ago: Int) -> Timestamp { now - TimeSpan.minutes(Int64(ago)) }

    /// The system healthy, degraded (queue over 100) or down (database refusing connections).
    func system(_ health: Health) throws -> Monitor {
        let probes = [ProbeRules(name: "db", kind: "postgres", failureThreshold: 2),
                      ProbeRules(name: "queue", kind: "redis", degraded: [try c("value > 100")])]
        return monitor(probes) { i, ago in
            if i == 0, health == .down, ago < 3 {
                return Sample(time: at(ago), latencyMs: 2000, failure: ProbeFailure(.refused, "no"))
            }
            return Sample(time: at(ago), latencyMs: 3, value: i == 1 && health == .degraded ? 150 : 20)
        }
    }

    @Test(arguments: [(Health.healthy, "✅"), (.degraded, "⚠️"), (.down, "❌")])
    func systemStateHasItsColourAndMark(_ health: Health, _ mark: String) throws {
        let m = try system(health)
        #expect(m.snapshot(now: now).health == health)
        let html = m.statusPageHTML(now: now)
        #expect(html.contains("<header class=\"band h-\(health)\"><div class=\"band-top\">"
            + "<h1><span class=\"mark\">\(mark)</span> System \(health)</h1>"))
        #expect(html.contains("<title>\(mark) \(health) · healthd</title>"))
        #expect(html.contains("<time datetime=\"2026-11-22T10:00:00Z\">2026-11-22T10:00:00Z</time>"))
        // The page's colour classes are the ones the stylesheet defines.
        #expect(StatusPage.css.contains(".h-\(health){--c:"))
        if health != .healthy { #expect(html.contains("<ul class=\"why\"><li>")) }
    }

    @Test func textFromProbesIsEscaped() throws {
        let m = monitor([ProbeRules(name: "a&b <i>", kind: "exec", failureThreshold: 1)], minutes: 0) { _, ago in
            Sample(time: at(ago), latencyMs: 1, failure: ProbeFailure(.exec, "<script>alert('x')</script> \"quoted\""))
        }
        let html = m.statusPageHTML(now: now)
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;quoted&quot;"))
        #expect(html.contains("<h3>a&amp;b &lt;i&gt;</h3>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<i>"))
        #expect(htmlEscaped("plain ✅ text") == "plain ✅ text")
        #expect(htmlEscaped("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }

    @Test(arguments: [Health.healthy, .degraded, .down])
    func selfContained(_ health: Health) throws {
        let html = try system(health).statusPageHTML(now: now)
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(html.hasSuffix("</html>\n"))
        #expect(html.contains("<meta http-equiv=\"refresh\" content=\"30\">"))
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"))
        #expect(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""))
        for banned in ["<script", "http://", "https://", " src=", "url(", "@import", "<link", "<img", "<iframe"] {
            #expect(!html.contains(banned), "found \(banned)")
        }
    }

    @Test func latencyThresholdsAreDrawnOnTheLatencyChart() throws {
        let rules = ProbeRules(name: "api", kind: "http", degraded: [try c("latency.p95(5m) > 500ms")],
                               down: [try c("latency.p95(5m) > 2s"), try c("error_rate(1h) > 5%"), try c("failures > 3")])
        let m = monitor([rules]) { _, ago in Sample(time: at(ago), latencyMs: 100) }
        let html = m.statusPageHTML(now: now)
        // The scale runs 0…2000 ms (zero, the data, both thresholds): 500 ms lies at 3/4 of the 480-high plot.
        #expect(html.contains(
            "<path class=\"t t-deg\" d=\"M0 400H2880\"><title>degraded: latency.p95(5m) &gt; 500ms</title></path>"))
        #expect(html.contains(
            "<path class=\"t t-down\" d=\"M0 40H2880\"><title>down: latency.p95(5m) &gt; 2s</title></path>"))
        #expect(html.contains("<span class=\"lg t-deg\">500ms</span><span class=\"lg t-down\">2s</span></figcaption>"))
        // An error rate limit is an availability limit: 1 − 5 % = 95 %; failures has no chart.
        #expect(html.contains("<span class=\"cname\">Availability</span><span class=\"lg t-down\">95%</span></figcaption>"))
        #expect(html.components(separatedBy: "class=\"t t-").count - 1 == 3)
    }

    @Test func valueThresholdsKeepTheirUnit() throws {
        #expect(Sparkline.thresholdValue(try c("value > 100"), on: .value) == 100)
        #expect(Sparkline.thresholdValue(try c("value.avg(5m) < 80%"), on: .value) == 0.8)
        // Values written with a time unit are seconds.
        #expect(Sparkline.thresholdValue(try c("value.max(1h) > 250ms"), on: .value) == 0.25)
        #expect(Sparkline.thresholdValue(try c("value > 100"), on: .latency) == nil)
        #expect(Sparkline.thresholdValue(try c("value.delta(1h) > 10"), on: .value) == nil)
        #expect(Sparkline.thresholdValue(try c("latency > 1.5s"), on: .latency) == 1500)
        #expect(Sparkline.thresholdValue(try c("availability(1h) < 99%"), on: .availability) == 0.99)
    }

    @Test func detailsAreCutAt100Characters() throws {
        let long = String(repeating: "é", count: 100) + "TAIL" + String(repeating: "x", count: 50)
        let rows = [DetailRow(fields: [.init(name: "ticket_id", value: "T-1"), .init(name: "error_message", value: long)]),
                    DetailRow(fields: [.init(name: "ticket_id", value: "T-2"), .init(name: "error_message", value: nil)])]
        let m = monitor([ProbeRules(name: "failures", kind: "postgres")], minutes: 0) { _, ago in
            Sample(time: at(ago), latencyMs: 5, details: rows)
        }
        let html = m.statusPageHTML(now: now)
        #expect(html.contains("<th>ticket_id</th><th>error_message</th>"))
        #expect(html.contains("<td>T-1</td><td class=\"long\">" + String(repeating: "é", count: 100) + "…</td>"))
        #expect(!html.contains("TAIL"))
        #expect(html.contains("<td>T-2</td><td class=\"muted\">—</td>"))
        #expect(StatusPage.truncated(String(repeating: "a", count: 100)) == String(repeating: "a", count: 100))
        #expect(StatusPage.truncated(String(repeating: "a", count: 101)) == String(repeating: "a", count: 100) + "…")
    }

    @Test func pendingProbeAndPendingSystem() throws {
        let m = monitor([ProbeRules(name: "later", kind: "tcp")]) { _, _ in nil }
        let html = m.statusPageHTML(now: now)
        #expect(html.contains("<article class=\"card h-pending\" id=\"p0\"><div class=\"head\"><h3>later</h3>"
            + "<span class=\"badge\">⏳ pending</span>"))
        #expect(html.contains("<p class=\"muted\">No result yet.</p>"))
        #expect(html.contains("<header class=\"band h-pending\">"))
        #expect(html.contains("Waiting for first results"))
        #expect(!html.contains("<svg"))

        let two = monitor([ProbeRules(name: "up", kind: "tcp"), ProbeRules(name: "later", kind: "tcp")]) { i, ago in
            i == 0 ? Sample(time: at(ago), latencyMs: 1) : nil
        }.statusPageHTML(now: now)
        #expect(two.contains("<header class=\"band h-healthy\">"))
        #expect(two.contains("2 probes · 1 healthy · 1 pending"))
        #expect(two.contains("<article class=\"card h-pending\" id=\"p1\">"))
    }

    @Test func staleValueAndFallback() throws {
        let probes = [ProbeRules(name: "prom", kind: "prometheus", failureThreshold: 1, fallback: "db"),
                      ProbeRules(name: "workers", kind: "prometheus", failureThreshold: 1),
                      ProbeRules(name: "db", kind: "postgres")]
        let m = monitor(probes, minutes: 10) { i, ago in
            if i < 2, ago < 5 { return Sample(time: at(ago), latencyMs: 5000, failure: ProbeFailure(.timeout, "no answer")) }
            return Sample(time: at(ago), latencyMs: 10, value: i == 2 ? 0.93 : 7)
        }
        let html = m.statusPageHTML(now: now)
        #expect(html.contains("<dd>0.93 <span class=\"note\">via db</span></dd>"))
        #expect(html.contains("<dd>7 <span class=\"stale\">stale for 5m</span></dd>"))
        #expect(html.contains("<p class=\"err\"><b>timeout</b> no answer</p>"))
    }

    @Test func sparklineBreaksAtGapsAndDrawsLonePointsAsDots() {
        let values: [Double?] = [0, 1, nil, 2, nil, nil, 1, 0, 0]
        let spark = Sparkline(frame: .init(plotHeight: 480, title: "t"), series: [.init(values: values, cssClass: "s")],
                              format: { formatNumber($0) })
        var out = ""
        let range = spark.yRange()
        #expect(range?.lo == 0 && range?.hi == 2)
        spark.render(into: &out, range: range!)
        // x advances 2880 / 8 = 360 a step; y = 520 − value × 240.
        #expect(out.contains("<path class=\"s\" d=\"M0 520l360 -240M1080 40h0M2160 280l360 240 360 0\"/>"))
        #expect(out.contains("<text x=\"2940\" y=\"120\">2</text><text x=\"2940\" y=\"520\">0</text>"))
        #expect(Sparkline(frame: .init(plotHeight: 240, title: "t"), series: [.init(values: [nil, nil], cssClass: "s")],
                          format: { formatNumber($0) }).yRange() == nil)
    }

    @Test func flatAvailabilityStaysAtTheTop() {
        let spark = Sparkline(frame: .init(plotHeight: 240, title: "t"), series: [.init(values: [1, 1, 1], cssClass: "s")],
                              ceiling: 1, format: Sparkline.percent)
        let range = spark.yRange()
        #expect(range?.hi == 1)
        #expect(abs((range?.lo ?? 0) - 0.9) < 1e-9)
        #expect(Sparkline.percent(0.99654) == "99.65%")
        #expect(Sparkline.ms(0.4123) == "0.41ms" && Sparkline.ms(612.4) == "612ms" && Sparkline.ms(1234) == "1.23s")
        #expect(Sparkline.compact(15_320) == "15.3k" && Sparkline.compact(0.125) == "0.13")
    }

    func tlsMonitor(notAfter: Timestamp) -> Monitor {
        let tls = TLSFacts(version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256", subject: "CN=api", issuer: "CN=ca",
                           dnsNames: ["api"], notAfter: notAfter)
        return monitor([ProbeRules(name: "api", kind: "http")], minutes: 0) { _, ago in Sample(time: at(ago), latencyMs: 3, tls: tls) }
    }

    @Test(arguments: [
        (19.8, #"<dd>expires in 19 d (<time datetime="2026-12-12T05:12:00Z">2026-12-12</time>)</dd>"#),
        (13.5, #"<dd class="soon">expires in 13 d (<time datetime="2026-12-05T22:00:00Z">2026-12-05</time>)</dd>"#),
        (0.5, #"<dd class="soon">expires in under a day (<time datetime="2026-11-22T22:00:00Z">2026-11-22</time>)</dd>"#),
        (-2, #"<dd class="expired">expired on <time datetime="2026-11-20T10:00:00Z">2026-11-20</time></dd>"#),
    ])
    func certificateExpiryOnTheCard(daysLeft: Double, shown: String) {
        let html = tlsMonitor(notAfter: now + TimeSpan(nanoseconds: Int64(daysLeft * 86400e9))).statusPageHTML(now: now)
        #expect(html.contains("<div><dt>Certificate</dt>" + shown + "</div>"))
        #expect(StatusPage.css.contains(".soon{") || StatusPage.css.contains(",.soon{"))
        #expect(StatusPage.css.contains(".expired{color:var(--bad)}"))
    }

    @Test func noCertificateWithoutTLSFacts() throws {
        #expect(!(try system(.healthy)).statusPageHTML(now: now).contains("Certificate"))
    }

    /// The card shows whole days, so a cached one is rendered again when the day count changes, not every second.
    @Test func cachedCardFollowsTheDaysLeft() {
        let m = tlsMonitor(notAfter: now + .days(14) + .minutes(5))
        let p = m.snapshot(now: now).probes[0]
        let key = StatusPage.CardKey(p, id: 0, cert: StatusPage.CertExpiry(p.tls, now: now))
        #expect(key.matches(p, id: 0, cert: StatusPage.CertExpiry(p.tls, now: now + .minutes(4))))
        #expect(!key.matches(p, id: 0, cert: StatusPage.CertExpiry(p.tls, now: now + .minutes(6))))
        var cache = StatusPageCache()
        #expect(m.statusPageHTML(m.snapshot(now: now), cache: &cache).contains("<dd>expires in 14 d ("))
        let later = now + .minutes(10)  // the same 15-minute step: the chart points are kept, and so would the card be
        let page = m.statusPageHTML(m.snapshot(now: later), cache: &cache)
        #expect(page.contains("<dd class=\"soon\">expires in 13 d ("))
        #expect(page == m.statusPageHTML(now: later))
    }

    /// A card is kept once it has stayed the same over one render: a probe with a sample between renders has a new
    /// card each time, and keeping its text would only cost memory.
    @Test func onlyCardsThatStayTheSameAreKept() {
        var m = monitor([ProbeRules(name: "busy", kind: "tcp"), ProbeRules(name: "idle", kind: "exec")], minutes: 20) { i, ago in
            Sample(time: at(ago), latencyMs: Double(3 + ago % 5))
        }
        var cache = StatusPageCache()
        var t = now + .seconds(1)
        for render in 0..<4 {
            m.ingest(Sample(time: t, latencyMs: Double(render + 1)), probe: 0)
            let page = m.statusPageHTML(m.snapshot(now: t), cache: &cache)
            #expect(page == m.statusPageHTML(now: t))
            #expect(cache.cards["busy"]?.drawn == nil, "render \(render)")
            #expect((cache.cards["idle"]?.drawn != nil) == (render > 0), "render \(render)")
            t = t + .seconds(5)
        }
        // A new 15-minute step changes every chart: the idle probe's card is drawn again, and kept once it holds.
        t = now + .minutes(15)
        _ = m.statusPageHTML(m.snapshot(now: t), cache: &cache)
        #expect(cache.cards["idle"]?.drawn == nil)
        _ = m.statusPageHTML(m.snapshot(now: t), cache: &cache)
        #expect(cache.cards["idle"]?.drawn != nil)
    }

    /// A publisher renders every few seconds with one cache; each page must equal one rendered from scratch,
    /// across 15-minute boundaries and a rules change.
    @Test func cachedPagesEqualFreshOnes() throws {
        let rules = [ProbeRules(name: "api", kind: "http", degraded: [try c("latency.p95(5m) > 500ms")]),
                     ProbeRules(name: "queue", kind: "redis")]
        var m = Monitor(spec: MonitorSpec(probes: rules))
        let start = now - TimeSpan.hours(26)
        var cache = StatusPageCache()
        for minute in 0...(26 * 60 + 40) {
            let t = start + TimeSpan.minutes(Int64(minute))
            m.ingest(Sample(time: t, latencyMs: Double(20 + minute % 37), value: Double(minute % 90)), probe: 0)
            if minute % 3 == 0 { m.ingest(Sample(time: t, latencyMs: 1, value: Double(minute % 7)), probe: 1) }
            guard minute % 7 == 0 || minute > 26 * 60 else { continue }
            let cached = m.statusPageHTML(m.snapshot(now: t), cache: &cache)
            #expect(cached == m.statusPageHTML(now: t), "differs at minute \(minute)")
        }
        // A reload as the daemon does it: unchanged probes keep their windows, a changed one starts afresh
        // and its cached day is not reused.
        var changed = Monitor(spec: MonitorSpec(probes: [ProbeRules(name: "api", kind: "tcp"), rules[1]]))
        changed.adopt(from: m, probes: ["queue"])
        changed.ingest(Sample(time: now, latencyMs: 5), probe: 0)
        let t = start + TimeSpan.minutes(26 * 60 + 40)
        #expect(changed.statusPageHTML(changed.snapshot(now: t), cache: &cache) == changed.statusPageHTML(now: t))
    }
}
