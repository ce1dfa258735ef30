import Testing
@testable import HealthCore

/// What every probe holds hundreds of, at the size their comments promise: a raw sample, a closed bucket's header
/// and a chart point; and the window stats each snapshot and cache slot holds. A field added or widened shows here
/// before it shows in the daemon's RSS.
@Test func perProbeRecordsKeepTheirSize() {
    #expect(MemoryLayout<ProbeWindows.RawRing.Entry>.stride == 9)
    #expect(MemoryLayout<ProbeWindows.StoredBucket>.stride == 16)
    #expect(MemoryLayout<ChartPoint>.stride == 24)
    #expect(MemoryLayout<WindowStats>.stride == 72)
}

/// Window stats keep none apart from zero (−0 included), and compare as their optionals do.
@Test func windowStatsKeepNoneApartFromZero() {
    let s = WindowStats(count: 4, failures: 1, latencyP50: 0, latencyP99: 7.5, valueMin: -0.0, valueLast: 2)
    #expect(s.latencyP50 == 0 && s.latencyP95 == nil && s.latencyP99 == 7.5)
    #expect(s.valueMin == 0 && s.valueMax == nil && s.valueAvg == nil && s.valueLast == 2)
    #expect(s.availability == 0.75 && s.errorRate == 0.25)
    #expect(WindowStats().availability == nil && WindowStats().errorRate == nil && WindowStats() == WindowStats())
    #expect(s == WindowStats(count: 4, failures: 1, latencyP50: 0, latencyP99: 7.5, valueMin: 0, valueLast: 2))
    #expect(s != WindowStats(count: 4, failures: 1, latencyP99: 7.5, valueMin: 0, valueLast: 2))
    #expect(s != WindowStats(count: 4, failures: 2, latencyP50: 0, latencyP99: 7.5, valueMin: 0, valueLast: 2))
}

/// A raw sample packed in 9 bytes keeps its time to the nanosecond (before the epoch too, and given any newer time
/// up to 2⁴⁰ ns on), its latency and whether it failed, a failure at 0 ms included (kept as −0).
@Test(arguments: [Int64.min / 2, -1, 0, 1, 1_795_000_000_123_456_789, Int64.max / 2])
func rawEntriesKeepTimeLatencyAndOutcome(_ nanoseconds: Int64) {
    for (latency, ok) in [(0.0, true), (0.0, false), (12.5, true), (12.5, false), (3.6e6, false)] {
        let entry = ProbeWindows.RawRing.Entry(time: Timestamp(nanoseconds: nanoseconds), latencyMs: latency, ok: ok)
        for ahead: Int64 in [0, 1, 360_000_000_000, 1 << 39, 1 << 40 - 1] {
            #expect(entry.time(before: Timestamp(nanoseconds: nanoseconds + ahead)).nanoseconds == nanoseconds)
        }
        #expect(entry.latencyMs == Float(latency))
        #expect(entry.ok == ok)
    }
}
