import Testing
@testable import HealthCore

/// Closed buckets' headers take 8 bytes, yet every header reads back as it was stored, whatever it holds: large
/// counts, folded bins and odd levels go to a side list, and indices stay right as the base moves.
@Suite struct ClosedHeadersTests {
    typealias Stored = ProbeWindows.StoredBucket

    static func fields(_ b: Stored) -> [Int64] {
        [Int64(b.index), Int64(b.count), Int64(b.failures), Int64(b.lowestKey), Int64(b.used), Int64(b.storedLevel)]
    }

    static func bucket(_ index: Int32, count: UInt32 = 3600, failures: UInt32 = 2, key: UInt16 = 2900, used: Int = 90,
                       level: UInt8 = 2 | Stored.packedFlag) -> Stored {
        Stored(index: index, count: count, failures: failures, lowestKey: key, used: used, storedLevel: level)
    }

    static func expectSame(_ headers: ProbeWindows.ClosedHeaders, _ model: [Stored], _ note: Comment? = nil) {
        #expect(headers.map(Self.fields) == model.map(Self.fields), note)
        #expect(headers.indices.map { headers.index(at: $0) } == model.map { Int64($0.index) }, note)
        for p in 0...model.count { #expect(headers.usedBytes(before: p) == model[..<p].reduce(0) { $0 + Int($1.used) }) }
    }

    @Test func everyKindOfHeaderReadsBackAsStored() {
        let kinds: [Stored] = [
            Self.bucket(1_000),
            Self.bucket(1_001, count: 65_534, failures: 65_534),  // the most that fits
            Self.bucket(1_002, count: 65_535, failures: 7),  // one more: large
            Self.bucket(1_003, count: 86_400, failures: 86_400),  // a day at 1 Hz
            Self.bucket(1_004, count: .max, failures: .max - 1),
            Self.bucket(1_005, level: 3 | 0x80),  // folded bins
            Self.bucket(1_006, level: 4),  // a level no sketch reaches
            Self.bucket(1_007, key: 0x1FFF, used: 255, level: 3 | Stored.packedFlag),
            Self.bucket(1_008, key: 0x2000),
            Self.bucket(1_009, count: 0, failures: 0, key: 0, used: 0, level: 0),
        ]
        var headers = ProbeWindows.ClosedHeaders()
        for b in kinds { headers.append(b) }
        Self.expectSame(headers, kinds)
    }

    /// A week of hours at 1 Hz: 8 bytes each, nothing on the side.
    @Test func aWeekOfHoursTakesEightBytesEach() {
        var headers = ProbeWindows.ClosedHeaders()
        headers.reserveCapacity(168)
        for i in 0..<168 { headers.append(Self.bucket(Int32(500_000 + i))) }
        // The capacity is what malloc's chunk holds: a reused chunk may be up to 32 bytes (4 headers) longer than asked.
        #expect(headers.approximateBytes <= ProbeWindows.arrayHeaderBytes + 172 * 8)
    }

    /// A tier drops its oldest buckets and appends new ones for weeks, with late ones inserted before the first and
    /// buckets replaced by larger and smaller ones: the headers always equal a plain array doing the same.
    @Test func aRollingTierKeepsItsIndices() {
        var headers = ProbeWindows.ClosedHeaders(), model: [Stored] = []
        var rng = RollingWindowTests.SplitMix64(state: 21)
        func random(_ index: Int32) -> Stored {
            let big = rng.next() % 5 == 0
            let count = UInt32(big ? 65_535 + rng.next() % 100_000 : rng.next() % 4_000)
            return Self.bucket(index, count: count, failures: count / 3, key: UInt16(rng.next() % 4_700),
                               used: Int(rng.next() % 256), level: UInt8(rng.next() % 4) | (rng.next() % 2 == 0 ? Stored.packedFlag : 0))
        }
        var newest: Int32 = -40
        for step in 0..<3_000 {
            newest += Int32(1 + rng.next() % 3)  // gaps, as after a pause
            let b = random(newest)
            headers.append(b)
            model.append(b)
            let oldest = Int64(newest) - 168
            let dropped = model.prefix { Int64($0.index) <= oldest }.count
            headers.removeFirst(dropped)
            model.removeFirst(dropped)
            if step % 7 == 0, let first = model.first, Int64(first.index) > oldest + 1 {  // a late one, before all
                let late = random(first.index - 1)
                headers.insert(late, at: 0)
                model.insert(late, at: 0)
            }
            if step % 5 == 0 {
                let p = Int(rng.next() % UInt64(model.count))
                let replacement = random(model[p].index)
                headers.replace(at: p, with: replacement)
                model[p] = replacement
            }
            if step % 97 == 0 { Self.expectSame(headers, model, "step \(step)") }
        }
        Self.expectSame(headers, model)
    }
}
