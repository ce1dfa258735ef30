import Foundation
import HealthCore
import HealthSys

/// Rolling windows: insert rate, query cost over 24 h, sketch accuracy against exact quantiles.
enum WindowsBench {
    static func run() {
        var rng = SplitMix(seed: 42)
        let n = 2_000_000
        let start = Timestamp(seconds: 1_795_000_000)
        // One sample a second for 2M seconds (23 days): every tier rolls over many times.
        var samples: [Sample] = []
        samples.reserveCapacity(n)
        for i in 0..<n {
            let failure: ProbeFailure? = i % 97 == 0 ? ProbeFailure(.timeout, "t") : nil
            let time = start + TimeSpan.seconds(Int64(i))
            samples.append(Sample(time: time, latencyMs: rng.lognormal(mu: 1, sigma: 0.8), value: Double(i % 1000), failure: failure))
        }
        var w = ProbeWindows()
        let t0 = monotonicNanos()
        for s in samples { w.record(s) }
        let insertNs = Double(monotonicNanos() - t0) / Double(n)
        line("windows.record", "\(fmt(1e3 / insertNs)) M samples/s (\(fmt(insertNs)) ns each)")

        let now = samples.last!.time
        var sink = 0.0
        let queries = 20_000
        let q0 = monotonicNanos()
        for _ in 0..<queries { sink += w.stats(over: .hours(24), now: now).latencyP95 ?? 0 }
        line("windows.p95_24h_query", "\(fmt(Double(monotonicNanos() - q0) / Double(queries) / 1e3)) µs per query")
        let q1 = monotonicNanos()
        for _ in 0..<queries { sink += w.stats(over: .minutes(5), now: now).latencyP95 ?? 0 }
        line("windows.p95_5m_query", "\(fmt(Double(monotonicNanos() - q1) / Double(queries) / 1e3)) µs per query")
        let q2 = monotonicNanos()
        for _ in 0..<queries / 4 { sink += w.stats(over: .days(7), now: now).latencyP95 ?? 0 }
        line("windows.p95_7d_query", "\(fmt(Double(monotonicNanos() - q2) / Double(queries / 4) / 1e3)) µs per query")
        for (range, step, name) in [(TimeSpan.hours(24), TimeSpan.minutes(15), "24h_15m"), (.days(7), .hours(1), "7d_1h")] {
            let s0 = monotonicNanos()
            for _ in 0..<queries / 20 { sink += w.series(range: range, step: step, now: now).last?.stats.latencyP95 ?? 0 }
            line("windows.series_\(name)", "\(fmt(Double(monotonicNanos() - s0) / Double(queries / 20) / 1e3)) µs per series")
        }
        line("windows.memory_per_probe", "\(w.approximateBytes / 1024) KiB")

        // Accuracy over the last 24 h of data against exact quantiles of the same samples.
        let day = samples.suffix(86_400).filter { $0.ok }.map { $0.latencyMs }.sorted()
        let stats = w.stats(over: .hours(24), now: now)
        for (q, got) in [(0.5, stats.latencyP50), (0.95, stats.latencyP95), (0.99, stats.latencyP99)] {
            let exact = day[min(day.count - 1, Int((q * Double(day.count)).rounded(.up)) - 1)]
            let err = abs((got ?? .nan) - exact) / exact * 100
            line("sketch.p\(Int(q * 100))_24h_relative_error", "\(fmt(err))% (exact \(fmt(exact)) ms, sketch \(fmt(got ?? .nan)) ms)")
        }
        if sink == -1 { print(sink) }
    }
}

/// SplitMix64: a small, fast, reproducible generator.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func lognormal(mu: Double, sigma: Double) -> Double {
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        return exp(mu + sigma * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }
}

func fmt(_ v: Double) -> String {
    guard v.isFinite else { return "n/a" }
    let digits = v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3
    var s = String(format: "%.\(digits)f", v)
    if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
    return s
}
