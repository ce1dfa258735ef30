import Foundation
import HealthCore
import HealthRender
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// status.html as a browser shows it: a healthy, a degraded and a down system rendered by headless Chromium at
/// desktop (1280 px) and phone (390 px) widths. The screenshots are kept in .build/test-artifacts/status-page/
/// for people to look at; the test checks what a machine can: Chromium ran, drew something, logged no page
/// errors, built the expected DOM, and nothing is wider than the window.
@Suite(.serialized) struct StatusPageRenderTests {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let artifacts = repoRoot.appendingPathComponent(".build/test-artifacts/status-page")

    /// The page as the engine renders it: from the snapshot and the probes' last day.
    static func page(_ monitor: Monitor) -> String {
        var cache = StatusPageCache()
        return StatusPage.html(monitor.snapshot(now: Scenario.now), charts: monitor, cache: &cache)
    }

    @Test(arguments: Scenario.allCases)
    func rendersInChromium(_ scenario: Scenario) throws {
        let chromium = try #require(Chromium.path, """
            chromium is not installed (looked for \(Chromium.candidates.joined(separator: ", "))): \
            scripts/test installs the Debian packages chromium and fonts-noto-color-emoji
            """)
        let monitor = try scenario.monitor()
        #expect(monitor.snapshot(now: Scenario.now).health == scenario.health)
        let dir = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        let page = "\(dir)/status.html", html = Self.page(monitor)
        try html.write(toFile: page, atomically: true, encoding: .utf8)
        try html.write(to: Self.artifacts.appendingPathComponent("\(scenario).html"), atomically: true, encoding: .utf8)
        let browser = Chromium(path: chromium, dir: dir)

        // The page's own DOM, at desktop width.
        let dom = browser.run(["--window-size=1280,2000", "--dump-dom", "file://\(page)"])
        #expect(dom.status == 0, "chromium --dump-dom exited \(dom.status): \(dom.stderr)")
        #expect(dom.pageErrors.isEmpty, "page errors: \(dom.pageErrors)")
        #expect(dom.stdout.contains("class=\"band \(scenario.cssClass)\""))
        #expect(dom.stdout.contains("System \(scenario.health)"))
        for name in Scenario.probeNames {
            #expect(dom.stdout.contains(">\(name)</h3>"), "probe \(name) missing from the DOM")
        }
        #expect(!dom.stdout.contains("<script"), "a script element made it into the DOM")

        for width in [1280, 390] {
            let png = Self.artifacts.appendingPathComponent("\(scenario)-\(width).png").path
            try? FileManager.default.removeItem(atPath: png)
            let frame = try browser.frame(page: page, width: width)
            let target = width < Chromium.narrowestWindow ? frame : "file://\(page)"
            let shot = browser.run(["--window-size=\(width),2000", "--screenshot=\(png)", target])
            #expect(shot.status == 0, "chromium --screenshot exited \(shot.status): \(shot.stderr)")
            #expect(shot.pageErrors.isEmpty, "page errors at \(width) px: \(shot.pageErrors)")
            let size = try #require(Self.pngSize(path: png), "no PNG at \(png)")
            #expect(size.width == width && size.height == 2000, "screenshot is \(size.width)×\(size.height)")
            let bytes = (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
            #expect(bytes > 40_000, "a \(bytes)-byte screenshot is too small to hold the page")

            // Nothing may stick out sideways: the frame records the page's scroll width.
            let measured = browser.run(
                ["--window-size=\(width),2000", "--allow-file-access-from-files", "--dump-dom", frame])
            let scrollWidth = measured.stdout.firstMatch(of: /data-scroll-width="(\d+)"/).flatMap { Int($0.1) }
            #expect(scrollWidth.map { $0 <= width } == true,
                    "page is \(scrollWidth.map(String.init) ?? "?") px wide in a \(width) px window")
        }
    }
}

extension StatusPageRenderTests {
    /// Runs headless Chromium with a profile of its own, its output kept apart (the DOM on stdout, its log on
    /// stderr) and a time limit: hence not `shell`, which merges the two and waits as long as it takes.
    struct Chromium {
        /// Headless Chromium does not make a window narrower than this: at `--window-size=390,…` the page
        /// still lays out 500 px wide and the screenshot crops it.
        static let narrowestWindow = 500
        static let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        static var path: String? { candidates.first { FileManager.default.isExecutableFile(atPath: $0) } }

        let path: String
        let dir: String

        struct Run {
            var status: Int32
            var stdout: String
            var stderr: String

            /// Log lines about the page, not about the container. With `--enable-logging=stderr` every console
            /// message the page causes is an `INFO:CONSOLE…` line (uncaught errors, and the page's CSP turns a
            /// script or a fetched resource into one too). All else Chromium logs in a container is about the
            /// machine (`ERROR:dbus/bus.cc` with no system bus, `WARNING:…vaapi…` with no GPU, the launcher's
            /// `[: … unexpected operator`) and never names the page, so a line naming the page's file counts too.
            var pageErrors: [String] {
                stderr.split(separator: "\n").map(String.init).filter {
                    $0.contains(":CONSOLE") || $0.contains("Uncaught") || $0.contains("status.html") || $0.contains("frame-")
                }
            }
        }

        /// A page showing `page` in a frame exactly `width` wide, whose viewport is what the page's media
        /// queries see: the way to look at it narrower than `narrowestWindow`. The frame, not the page, runs the
        /// one script: it records the page's scroll width for the overflow check (reaching into the frame needs
        /// `--allow-file-access-from-files`).
        func frame(page: String, width: Int) throws -> String {
            let frame = "\(dir)/frame-\(width).html"
            let record = "try{document.body.setAttribute('data-scroll-width',"
                + "this.contentDocument.documentElement.scrollWidth)}catch(e){}"
            try """
                <!DOCTYPE html><html style="overflow:hidden"><body style="margin:0">\
                <iframe src="file://\(page)" style="border:0;display:block;width:\(width)px;height:2000px" \
                onload="\(record)"></iframe></body></html>
                """.write(toFile: frame, atomically: true, encoding: .utf8)
            return "file://\(frame)"
        }

        /// `--hide-scrollbars`: phones overlay their scrollbars, so there they take no width either.
        func run(_ args: [String], timeout: Double = 60) -> Run {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr",
                           "--user-data-dir=\(dir)/profile"] + args
            let out = "\(dir)/chromium.out", err = "\(dir)/chromium.err"
            _ = FileManager.default.createFile(atPath: out, contents: nil)
            _ = FileManager.default.createFile(atPath: err, contents: nil)
            guard let outHandle = FileHandle(forWritingAtPath: out), let errHandle = FileHandle(forWritingAtPath: err) else {
                return Run(status: -1, stdout: "", stderr: "cannot open \(out)")
            }
            defer { try? outHandle.close(); try? errHandle.close() }
            p.standardOutput = outHandle
            p.standardError = errHandle
            do { try p.run() } catch { return Run(status: -1, stdout: "", stderr: "\(error)") }
            waitUntil("chromium \(args.last ?? "") to finish", seconds: timeout) { !p.isRunning }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
            return Run(status: p.terminationStatus, stdout: read(out), stderr: read(err))
        }
    }
}

extension StatusPageRenderTests {
    /// Width and height from a PNG's header, nil when the file is not a PNG.
    static func pngSize(path: String) -> (width: Int, height: Int)? {
        guard let data = FileManager.default.contents(atPath: path), data.count > 24,
              data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { return nil }
        let bytes = [UInt8](data[16..<24])
        let be = { (i: Int) in bytes[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be(0), be(4))
    }

    /// The first users' system (brief §1) a day into monitoring, one sample a minute: healthy, degraded or down.
    enum Scenario: String, CaseIterable, Sendable, CustomStringConvertible {
        case healthy, degraded, down

        static let now = Timestamp(seconds: 1_795_341_600)  // 2026-11-22T10:00:00Z
        static let probeNames = ["postgres", "redis", "queue_depth", "api", "success_rate_24h", "last_failures",
                                 "prom_success_rate", "workers", "video_api", "avatar_api"]

        var description: String { rawValue }
        var health: Health { switch self { case .healthy: .healthy; case .degraded: .degraded; case .down: .down } }
        var cssClass: String { "h-\(rawValue)" }

        func monitor() throws -> Monitor {
            func c(_ text: String) throws -> Condition { try Condition(parsing: text) }
            let spec = MonitorSpec(
                probes: [
                    ProbeRules(name: "postgres", kind: "postgres"),
                    ProbeRules(name: "redis", kind: "redis"),
                    ProbeRules(name: "queue_depth", kind: "redis",
                               degraded: [try c("value > 100")], down: [try c("value > 1000")]),
                    ProbeRules(name: "api", kind: "http",
                               degraded: [try c("latency.p95(5m) > 500ms"), try c("error_rate(1h) > 2%")],
                               down: [try c("latency.p95(5m) > 1000ms"), try c("error_rate(1h) > 5%")]),
                    ProbeRules(name: "success_rate_24h", kind: "postgres", degraded: [try c("value < 80%")]),
                    ProbeRules(name: "last_failures", kind: "postgres", critical: false),
                    ProbeRules(name: "prom_success_rate", kind: "prometheus", critical: false,
                               degraded: [try c("value < 0.8")], fallback: "success_rate_24h"),
                    ProbeRules(name: "workers", kind: "prometheus", critical: false, degraded: [try c("value < 2")]),
                    ProbeRules(name: "video_api", kind: "http", critical: false,
                               degraded: [try c("availability(1h) < 99%")]),
                    ProbeRules(name: "avatar_api", kind: "http", critical: false),
                ],
                components: [
                    ComponentRules(name: "database", patterns: ["postgres", "success_rate_24h", "last_failures"]),
                    ComponentRules(name: "queue", patterns: ["redis", "queue_depth", "workers"]),
                    ComponentRules(name: "api", patterns: ["api", "prom_success_rate"]),
                    ComponentRules(name: "external", patterns: ["video_api", "avatar_api"], critical: false),
                ])
            var m = Monitor(spec: spec)
            var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
            for ago in stride(from: 24 * 60, through: 0, by: -1) {
                let t = Self.now - TimeSpan.minutes(Int64(ago))
                for (i, name) in Self.probeNames.enumerated() {
                    rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    let r = Double(rng >> 11) / Double(1 << 53)
                    if let s = sample(name, minutesAgo: ago, time: t, r: r) { m.ingest(s, probe: i) }
                }
            }
            return m
        }

        /// One probe's sample `minutesAgo` minutes before now; `r` is uniform in [0, 1).
        private func sample(_ name: String, minutesAgo ago: Int, time t: Timestamp, r: Double) -> Sample? {
            let wave = sin(Double(ago) / 1440 * 2 * .pi)  // one slow daily swing
            func ok(_ ms: Double, _ value: Double? = nil) -> Sample { Sample(time: t, latencyMs: ms, value: value) }
            func fail(_ category: FailureCategory, _ message: String) -> Sample {
                Sample(time: t, latencyMs: 2000, failure: ProbeFailure(category, message))
            }
            switch name {
            case "postgres":
                if self == .down, ago < 12 { return fail(.refused, "connect to 10.0.4.12:5432: connection refused") }
                return ok(2.5 + r * 2 + wave)
            case "redis": return ok(0.3 + r * 0.3)
            case "queue_depth":
                let ramp = self == .degraded && ago < 45 ? Double(45 - ago) * 3.4 : 0
                return ok(0.4 + r * 0.2, (30 + 22 * wave + r * 10 + ramp).rounded())
            case "api":
                if r < 0.003, ago > 60 { return fail(.timeout, "GET /health: no response within 2s") }
                let slow = self == .degraded && ago < 30 ? 430 + r * 150 : 0  // p95 over 500 ms, under 1000
                return ok(90 + 40 * wave + r * r * 260 + slow)
            case "success_rate_24h": return ok(12 + r * 4, 0.93 + 0.02 * wave + r * 0.01)
            case "last_failures":
                return Sample(time: t, latencyMs: 8 + r * 3, details: Self.failureRows(now: Self.now))
            case "prom_success_rate":
                if self == .down, ago < 20 { return fail(.refused, "connect to prometheus:9090: connection refused") }
                return ok(15 + r * 10, 0.92 + 0.02 * wave + r * 0.01)
            case "workers":
                if self == .down, ago < 20 { return fail(.timeout, "query worker_active_count: no answer within 5s") }
                return ok(14 + r * 8, (7 + 2 * wave + r).rounded())
            case "video_api":
                if ago > 600, ago < 720 { return nil }  // two hours without results: a gap in the charts
                return r < 0.01 && ago > 90 ? fail(.tls, "certificate has expired") : ok(180 + r * 120)
            case "avatar_api": return self == .degraded ? nil : ok(220 + r * 90)  // degraded: still pending
            default: return nil
            }
        }

        /// The brief's "last 10 failures": errors long enough to be cut at 100 characters, and one that is markup.
        static func failureRows(now: Timestamp) -> [DetailRow] {
            (0..<10).map { i in
                let error = i == 2
                    ? "<script>alert('x')</script> rendered as text, never run"
                    : "OpenAI API error: Request timed out after 30s while enhancing ticket; retry \(i) of 3 scheduled, "
                        + "the circuit breaker stays closed for now"
                return DetailRow(fields: [
                    .init(name: "ticket_id", value: "TCK-\(48213 - i * 7)"),
                    .init(name: "tenant_id", value: "tenant-\(i % 3 + 1)"),
                    .init(name: "error_message", value: error),
                    .init(name: "created_at", value: (now - TimeSpan.minutes(Int64(i * 17 + 3))).iso8601()),
                ])
            }
        }
    }
}
