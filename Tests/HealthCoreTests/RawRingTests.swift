import Testing
@testable import HealthCore

/// The raw ring keeps the last 6 minutes of samples, at most 310: what a probe's rate needs, not the most it could.
@Suite struct RawRingTests {
    static let epoch = RollingWindowTests.epoch

    static func ring(every interval: TimeSpan, count: Int, from start: Timestamp = epoch) -> ProbeWindows {
        var windows = ProbeWindows()
        for i in 0..<count {
            windows.record(Sample(time: start + interval * Int64(i), latencyMs: Double(1 + i % 50), value: Double(i)))
        }
        return windows
    }

    @Test(arguments: [(TimeSpan.seconds(10), 36), (.seconds(1), 310), (.milliseconds(500), 310), (.seconds(60), 6)])
    func holdsSixMinutesAtMost310(interval: TimeSpan, kept: Int) {
        let windows = Self.ring(every: interval, count: 2000)
        #expect(windows.ring.count == kept)
        // Storage is the live entries and at most a quarter more, or 16, and what malloc rounds up (values take 8 bytes each).
        #expect(windows.ring.approximateBytes <= 2 * ProbeWindows.arrayHeaderBytes + (max(16, kept + kept / 4 + 1) + 2) * 20)
    }

    /// At 10 s a 5-minute window is still exact from the ring; an hour is answered by the 1m tier.
    @Test func fiveMinutesStayExactAtTenSeconds() {
        let windows = Self.ring(every: .seconds(10), count: 2000)
        let now = Self.epoch + .seconds(10 * 1999)
        let stats = windows.stats(over: .minutes(5), now: now)
        #expect(stats.count == 30)
        #expect(stats.valueMin == 1970 && stats.valueMax == 1999 && stats.valueAvg == 1984.5)
        #expect(windows.ring.covers(from: now - .minutes(5)))
        #expect(!windows.ring.covers(from: now - .minutes(7)))
    }

    /// A probe that slows from 1 s to 60 s gives its storage back once a quarter of it is in use.
    @Test func storageShrinksWhenTheRateFalls() {
        var windows = Self.ring(every: .seconds(1), count: 600)
        let busy = windows.ring.approximateBytes
        let start = Self.epoch + .seconds(600)
        for i in 0..<20 { windows.record(Sample(time: start + .seconds(60 * Int64(i)), latencyMs: 1)) }
        #expect(windows.ring.count == 6)
        #expect(windows.ring.approximateBytes * 8 < busy)
    }

    /// A sample older than the reach (late, or after the wall clock was set back) is not kept, and the ring no longer
    /// claims to cover its time; a later one within reach is kept.
    @Test func aSampleBeyondTheReachIsDroppedAndSaidToBe() {
        var windows = Self.ring(every: .seconds(1), count: 100)
        let newest = Self.epoch + .seconds(99)
        #expect(windows.ring.covers(from: Self.epoch))
        windows.record(Sample(time: newest - .minutes(7), latencyMs: 1))
        #expect(windows.ring.count == 100)
        #expect(!windows.ring.covers(from: newest - .minutes(7)))
        #expect(windows.ring.covers(from: newest - .minutes(7) + TimeSpan(nanoseconds: 1)))
        windows.record(Sample(time: newest - .seconds(30), latencyMs: 1))
        #expect(windows.ring.count == 101)
    }

    /// A pause longer than the reach empties the ring of what came before it: a 5-minute window after it holds only
    /// the samples since.
    @Test func aPauseAgesTheRingOut() {
        var windows = Self.ring(every: .seconds(1), count: 300)
        let resumed = Self.epoch + .minutes(20)
        windows.record(Sample(time: resumed, latencyMs: 7, value: -1))
        #expect(windows.ring.count == 1)
        let stats = windows.stats(over: .minutes(5), now: resumed)
        #expect(stats.count == 1 && stats.valueLast == -1 && stats.latencyP50 == 7)
    }

    /// A ring written after a pause (not full, some dropped) comes back the same from a checkpoint.
    @Test func aPartlyAgedRingRoundTrips() throws {
        var windows = Self.ring(every: .seconds(1), count: 300)
        for i in 0..<50 { windows.record(Sample(time: Self.epoch + .minutes(20) + .seconds(Int64(i)), latencyMs: 3, value: Double(i))) }
        var w = ByteWriter()
        windows.encode(into: &w)
        var r = ByteReader(w.bytes)
        let restored = try ProbeWindows(decoding: &r)
        #expect(restored.ring.count == 50 && restored.ring.evictedThrough == windows.ring.evictedThrough)
        let now = Self.epoch + .minutes(21)
        #expect(restored.stats(over: .minutes(5), now: now) == windows.stats(over: .minutes(5), now: now))
    }
}
