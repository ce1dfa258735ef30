import Foundation
import HealthCore
import HealthRender
import HealthSys

/// What one publish costs with N probes whose 24 h windows are full: the snapshot with its window
/// stats, status.json, healthd.prom and status.html (rendered with the chart cache a running
/// daemon keeps, so in its steady state). Medians of several runs.
enum PublishBench {
    static func run(probes: Int = 1000, runs: Int = 9) {
        var monitor = Monitor(spec: MonitorSpec(probes: (0..<probes).map { i in
            ProbeRules(name: "probe-\(i)", kind: "http", degraded: [try! Condition(parsing: "latency.p95(5m) > 500ms")],
                       down: [try! Condition(parsing: "availability(1h) < 90%")])
        }))
        var rng = SplitMix(seed: 11)
        let end = Timestamp(seconds: 1_795_000_000)
        // One sample a minute for a day: every 24 h window and chart point has data.
        for i in 0..<probes {
            for m in 0..<1440 {
                let failure = rng.next() % 50 == 0 ? ProbeFailure(.timeout, "timed out") : nil
                monitor.ingest(Sample(time: end - .minutes(Int64(1439 - m)), latencyMs: rng.lognormal(mu: 3, sigma: 0.5),
                                      value: Double(rng.next() % 1000), failure: failure), probe: i)
            }
        }
        var cache = StatusPageCache(), stats = WindowStatsCache()
        var now = end
        func page(_ s: Snapshot) -> String {
            StatusPage.html(s, charts: monitor, cache: &cache)
        }
        _ = page(monitor.snapshot(now: now, cache: &stats))  // the daemon's first render fills the caches
        var snap: [Double] = [], json: [Double] = [], prom: [Double] = [], html: [Double] = [], sizes = (0, 0, 0)
        for _ in 0..<runs {
            now = now + .seconds(1)
            var t = monotonicNanos()
            func lap(_ into: inout [Double]) {
                let n = monotonicNanos()
                into.append(Double(n - t) / 1e6)
                t = n
            }
            let s = monitor.snapshot(now: now, cache: &stats)
            lap(&snap)
            let j = s.json()
            lap(&json)
            let p = s.prometheusText()
            lap(&prom)
            let h = page(s)
            lap(&html)
            sizes = (j.utf8.count, p.utf8.count, h.utf8.count)
        }
        // A busy system: every probe has a new sample between renders, so every card is drawn again.
        var busy: [Double] = []
        for _ in 0..<runs {
            now = now + .seconds(5)
            for i in 0..<probes { monitor.ingest(Sample(time: now - .seconds(1), latencyMs: rng.lognormal(mu: 3, sigma: 0.5)), probe: i) }
            let s = monitor.snapshot(now: now, cache: &stats)
            let t = monotonicNanos()
            _ = page(s)
            busy.append(Double(monotonicNanos() - t) / 1e6)
        }
        let m = { (v: [Double]) in v.sorted()[v.count / 2] }
        line("publish.html_every_probe_new.n\(probes)", "\(fmt(m(busy))) ms (every probe sampled since the last render)")
        line("publish.snapshot.n\(probes)", "\(fmt(m(snap))) ms (window stats for 5m, 1h, 24h per probe)")
        line("publish.json.n\(probes)", "\(fmt(m(json))) ms, \(sizes.0 / 1024) KiB")
        line("publish.prom.n\(probes)", "\(fmt(m(prom))) ms, \(sizes.1 / 1024) KiB")
        line("publish.html.n\(probes)", "\(fmt(m(html))) ms, \(sizes.2 / 1024) KiB (written at most every 5 s)")
        let perChange = m(snap) + m(json) + m(prom)
        line("publish.per_change.n\(probes)", "\(fmt(perChange)) ms = \(fmt(perChange / 20)) × the 20 ms goal (snapshot, JSON, textfile)")
        line("publish.with_html.n\(probes)", "\(fmt(perChange + m(html))) ms = \(fmt((perChange + m(html)) / 20)) × the 20 ms goal")
    }
}
