import Foundation
import Testing
@testable import HealthCore

@Suite struct CheckpointTests {
    static let now = Timestamp(nanoseconds: 1_795_000_000 * 1_000_000_000)

    /// A monitor of `spec` that recorded `samples`, each into its probe.
    static func monitor(spec: MonitorSpec, fedWith samples: [(probe: Int, sample: Sample)]) -> Monitor {
        var m = Monitor(spec: spec)
        for (i, s) in samples { m.ingest(s, probe: i) }
        return m
    }

    /// A monitor restored from a stored fixture of format `format`, which must restore every probe of `spec`, each with
    /// the same history as in `fresh`, the fixture's samples recorded afresh.
    static func restoredFixture(_ base64: String, format: UInt8, spec: MonitorSpec, sameAs fresh: Monitor) throws -> Monitor {
        let bytes = try #require(Data(base64Encoded: base64)).map { $0 }
        #expect(bytes[6] == format)
        var m = Monitor(spec: spec)
        #expect(try m.restore(from: bytes).restored == spec.probes.map(\.name))
        for i in m.entries.indices { expectSameHistory(m.entries[i], fresh.entries[i], now: now) }
        return m
    }

    /// A restored probe against the same samples recorded afresh: every window, every dashboard series, the state.
    static func expectSameHistory(_ restored: Monitor.Entry, _ fresh: Monitor.Entry, now: Timestamp) {
        for window in [TimeSpan.minutes(1), .minutes(5), .minutes(30), .hours(1), .hours(3), .hours(24), .days(7)] {
            #expect(restored.windows.stats(over: window, now: now) == fresh.windows.stats(over: window, now: now))
        }
        for (range, step) in [(TimeSpan.hours(1), TimeSpan.minutes(1)), (.hours(6), .minutes(5)),
                              (.hours(24), .minutes(15)), (.days(7), .hours(1))] {
            #expect(restored.windows.series(range: range, step: step, now: now) == fresh.windows.series(range: range, step: step, now: now))
        }
        #expect(restored.state == fresh.state)
    }

    static let spec = MonitorSpec(probes: [
        ProbeRules(name: "api", kind: "http", degraded: [try! Condition(parsing: "latency.p95(5m) > 500ms")],
                   down: [try! Condition(parsing: "error_rate(1h) > 50%")]),
        ProbeRules(name: "queue", kind: "redis", failureThreshold: 2, successThreshold: 3,
                   degraded: [try! Condition(parsing: "value > 100")]),
        ProbeRules(name: "idle", kind: "tcp"),  // never fed: pending state, empty windows
    ])

    /// 24 h of one sample a minute per fed probe, ending at `now`: failures, values, details, reported levels.
    static let fed: Monitor = {
        var m = Monitor(spec: spec)
        var rng = Lcg(state: 7)
        for minute in 0..<1440 {
            let time = now - .minutes(Int64(1439 - minute)) - .seconds(Int64(rng.next() % 30))
            let latency = 3 + Double(rng.next() % 4000) / 37 + (minute % 97 == 0 ? 900 : 0)
            let timedOut = minute % 13 == 5
            // The last sample has timings but no TLS facts: the state keeps the earlier ones.
            let tls = timedOut || minute == 1439 ? nil : TLSFacts(
                version: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256", subject: "CN=api", issuer: "CN=ca ✓",
                dnsNames: ["api", "api.internal"], notAfter: now + .days(Int64(30 + minute / 720)))
            m.ingest(Sample(time: time, latencyMs: latency,
                            failure: timedOut ? ProbeFailure(.timeout, "timed out after 2s") : nil,
                            message: minute % 50 == 0 ? "slow" : nil, tls: tls,
                            timings: AttemptTimings(connect: 0.25, firstByte: latency - 0.5, total: latency)), probe: 0)
            let failing = (600..<606).contains(minute) || minute % 41 == 0
            let details = minute % 7 == 0 ? [DetailRow(fields: [.init(name: "task", value: "t\(minute)"),
                                                                .init(name: "error", value: nil)])] : nil
            m.ingest(Sample(time: time + .seconds(1), latencyMs: 0.25 * Double(rng.next() % 64),
                            value: failing ? nil : Double(minute % 150) - 0.5,
                            failure: failing ? ProbeFailure(.refused, "connection refused") : nil,
                            reportedHealth: minute % 333 == 0 ? .degraded : .healthy, message: "ok ✓",
                            noData: minute % 17 == 3, details: details), probe: 1)
        }
        return m
    }()

    static let bytes = fed.checkpoint(now: now, writer: "1.2.3-test")

    /// Decoding must fail without touching the monitor; returns the error.
    static func restoreFails(_ bytes: [UInt8]) -> CheckpointError? {
        var m = Monitor(spec: spec)
        m.ingest(Sample(time: now, latencyMs: 1), probe: 2)
        let before = m.checkpoint(now: now, writer: "x")
        defer {
            let unchanged = m.checkpoint(now: now, writer: "x") == before
            #expect(unchanged, "a failed restore changed the monitor")
        }
        do {
            _ = try m.restore(from: bytes)
            return nil
        } catch {
            return error
        }
    }

    /// Header and payload with a correct length and checksum, as a crafted file would have.
    static func reframed(_ body: some Sequence<UInt8>) -> [UInt8] {
        var w = ByteWriter()
        w.append(bytes: body)
        return Checkpoint.finish(&w)
    }

    @Test func roundTripRestoresWindowsAndStateExactly() throws {
        var restored = Monitor(spec: Self.spec)
        let report = try restored.restore(from: Self.bytes)
        #expect(report.restored == ["api", "queue", "idle"])
        #expect(report.dropped.isEmpty && report.kindChanged.isEmpty)
        #expect(report.writtenAt == Self.now && report.writerVersion == "1.2.3-test")
        for (a, b) in zip(Self.fed.entries, restored.entries) {
            for window in [TimeSpan.minutes(5), .hours(1), .hours(6), .hours(24), .days(7)] {
                #expect(a.windows.stats(over: window, now: Self.now) == b.windows.stats(over: window, now: Self.now))
            }
            for (range, step) in [(TimeSpan.hours(24), TimeSpan.hours(1)), (.hours(1), .minutes(1)), (.hours(6), .minutes(5)),
                                  (.hours(24), .minutes(7))] {
                #expect(a.windows.series(range: range, step: step, now: Self.now)
                        == b.windows.series(range: range, step: step, now: Self.now))
            }
            #expect(a.windows.value(at: Self.now - .hours(3), now: Self.now) == b.windows.value(at: Self.now - .hours(3), now: Self.now))
            let (s, t) = (a.state, b.state)
            #expect((s.health, s.since, s.reasons) == (t.health, t.since, t.reasons))
            #expect((s.consecutiveFailures, s.consecutiveSuccesses) == (t.consecutiveFailures, t.consecutiveSuccesses))
            #expect((s.lastGoodValue, s.lastGoodValueTime, s.lastDetails) == (t.lastGoodValue, t.lastGoodValueTime, t.lastDetails))
            #expect(s.flaps == t.flaps)
            #expect(s == t)
        }
        let day = Self.fed.entries[0].windows.stats(over: .hours(24), now: Self.now)
        #expect(day.count == 1440 && day.failures == 111 && day.latencyP99 != nil)
        #expect(Self.fed.entries[1].state.lastDetails != nil && Self.fed.entries[2].state.health == nil)
        #expect(Self.fed.entries[0].state.lastSample?.tls == nil && Self.fed.entries[0].state.lastSample?.timings != nil)
        #expect(restored.entries[0].state.lastTLS?.notAfter == Self.now + .days(31))
        #expect(Self.fed.entries[1].state.flaps.history.count == FlapDetector.results)
        // Every stored field came back: writing the restored monitor gives the same bytes.
        let rewritten = restored.checkpoint(now: Self.now, writer: "1.2.3-test")
        let same = rewritten == Self.bytes  // compared outside #expect, which would print both arrays
        #expect(same, "differs from byte \(zip(rewritten, Self.bytes).prefix { $0 == $1 }.count) on")
    }

    @Test func wideLatenciesRoundTripThroughCollapsedAndFoldedSketches() throws {
        // Log-uniform from 1 µs to ~1 h at 1 Hz: hour buckets reach the coarsest level and fold their lowest bins.
        var ladder = [1e-3]
        while ladder.count < 600 { ladder.append(ladder[ladder.count - 1] * 1.0385) }
        var windows = ProbeWindows(), rng = Lcg(state: 11)
        for second in 0..<3 * 3600 {
            windows.record(Sample(time: Self.now - .seconds(Int64(3 * 3600 - second)), latencyMs: ladder[Int(rng.next() % 600)]))
        }
        #expect(windows.hours.closed.contains { $0.storedLevel & 0x80 != 0 } || windows.hours.current.latency.hasFoldedLowestBins)
        var w = ByteWriter()
        windows.encode(into: &w)
        var r = ByteReader(w.bytes)
        let decoded = try ProbeWindows(decoding: &r)
        #expect(r.isAtEnd)
        for window in [TimeSpan.minutes(5), .hours(1), .hours(24)] {
            #expect(decoded.stats(over: window, now: Self.now) == windows.stats(over: window, now: Self.now))
        }
        var again = ByteWriter()
        decoded.encode(into: &again)
        let same = again.bytes == w.bytes
        #expect(same)
    }

    /// The checkpoint is written into room reserved once, never regrown: for the varied probes of `fed`, for wide
    /// latencies at 1 Hz with values (every tier's sketches full), and for a monitor of probes never run.
    @Test func checkpointFitsTheRoomReservedForIt() {
        var wide = Monitor(spec: MonitorSpec(probes: [ProbeRules(name: "wide", kind: "http")]))
        var rng = Lcg(state: 3)
        for second in 0..<26 * 3600 {
            wide.ingest(Sample(time: Self.now - .seconds(Int64(26 * 3600 - second)),
                               latencyMs: 1 + Double(rng.next() % 100_000) / 10, value: Double(second)), probe: 0)
        }
        for monitor in [Self.fed, wide, Monitor(spec: Self.spec)] {
            #expect(monitor.checkpoint(now: Self.now, writer: "1.2.3-test").count <= monitor.checkpointCapacity)
        }
    }

    /// A checkpoint written in pieces checksums them as they come (continuing) and puts its header before a body
    /// already checksummed (combine): both must give the CRC of the whole, at every split.
    @Test func crc32ContinuesAndCombines() {
        var rng = Lcg(state: 5)
        let bytes = (0..<3000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let whole = CRC32.checksum(bytes)
        for split in [0, 1, 7, 8, 9, 100, 1024, 2999, 3000] {
            let (a, b) = (Array(bytes[..<split]), Array(bytes[split...]))
            #expect(CRC32.checksum(b, continuing: CRC32.checksum(a)) == whole, "continuing at \(split)")
            #expect(CRC32.combine(CRC32.checksum(a), CRC32.checksum(b), secondLength: b.count) == whole, "combined at \(split)")
        }
    }

    /// Written in pieces as the daemon does — header last, from `finish` — a checkpoint is byte for byte the
    /// one-buffer file, whatever the pieces, and restores.
    @Test func aCheckpointInPiecesIsTheSameFile() throws {
        let whole = Self.fed.checkpoint(now: Self.now, writer: "1.2.3-test")
        for pieceBytes in [1, 100, 4096, Int.max] {
            var stream = CheckpointStream(writer: "1.2.3-test", at: Self.now, probes: Self.fed.entries.count)
            var file = [UInt8](repeating: 0xAA, count: stream.headerSize)  // room left for the header
            for entry in Self.fed.entries {
                stream.append(entry)
                if stream.pending >= pieceBytes { file += stream.take() }
            }
            let (header, last, trailer) = stream.finish()
            file.replaceSubrange(0..<header.count, with: header)
            file += last + trailer
            #expect(file == whole, "pieces of \(pieceBytes) bytes")
        }
        var m = Monitor(spec: Self.spec)
        #expect(try m.restore(from: whole).restored == ["api", "queue", "idle"])
    }

    /// A raw sample a hand-made file says was fine, with a negative latency and NaN as its value: read as 5 ms with
    /// no value, never a negative latency in the windows nor a NaN in their sums.
    @Test func aCraftedRawSampleCannotCarryNaNOrANegativeLatency() throws {
        var w = ByteWriter()
        w.appendVarint(ProbeWindows.RawRing.capacity)
        w.appendOptional(Optional<Timestamp>.none) { $0.append($1) }
        w.appendVarint(1)
        w.append(UInt8(3))  // ok, with a value
        w.appendZigZag(Self.now.nanoseconds)
        w.append(Float(-5))
        w.append(Double.nan)
        var r = ByteReader(w.bytes)
        var ring = ProbeWindows().ring
        try ring.decode(from: &r, newest: nil)
        let stats = ring.stats(in: Self.now..<Self.now + .seconds(1))
        #expect(stats.count == 1 && stats.latencyP50 == 5 && stats.valueAvg == nil)
    }

    @Test func crc32CheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        // Slicing-by-8 against the one-bit-at-a-time definition, across the 8-byte steps and the tail.
        var rng = Lcg(state: 3)
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            #expect(CRC32.checksum(bytes) == ~crc, "length \(length)")
        }
    }

    @Test func truncatedFilesThrowAtEveryCut() {
        for cut in stride(from: 0, to: Self.bytes.count, by: 97) {
            #expect(Self.restoreFails(Array(Self.bytes[..<cut])) == .truncated, "cut at \(cut)")
        }
        // The same cuts with length and checksum made to match: the records themselves run short.
        for cut in stride(from: 16, to: Self.bytes.count - 4, by: 97) {
            let error = Self.restoreFails(Self.reframed(Self.bytes[..<cut]))
            guard case .corrupt = error else { Issue.record("cut at \(cut): \(String(describing: error))"); continue }
        }
    }

    @Test func flippedByteFailsTheChecksum() {
        for offset in Array(stride(from: 16, to: Self.bytes.count, by: 101)) + [Self.bytes.count - 1] {
            var bytes = Self.bytes
            bytes[offset] ^= 0x40
            #expect(Self.restoreFails(bytes) == .checksum, "flip at \(offset)")
        }
    }

    /// Bytes changed anywhere in the records, the checksum made to match: a restore fails with an error or restores
    /// something, and whatever it restores answers every window and series without crashing.
    @Test func damagedRecordsWithAMatchingChecksumNeverCrash() {
        var rng = Lcg(state: 31)
        let body = Array(Self.bytes[..<(Self.bytes.count - Checkpoint.trailerBytes)])
        var restored = 0
        for _ in 0..<1_500 {
            var damaged = body
            for _ in 0...(rng.next() % 3) {
                let at = 16 + Int(rng.next() % UInt64(damaged.count - 16))
                damaged[at] = rng.next() % 2 == 0 ? damaged[at] ^ UInt8(1 << (rng.next() % 8)) : UInt8(truncatingIfNeeded: rng.next())
            }
            var m = Monitor(spec: Self.spec)
            guard (try? m.restore(from: Self.reframed(damaged))) != nil else { continue }
            restored += 1
            for entry in m.entries {
                for window in [TimeSpan.minutes(5), .hours(1), .hours(24), .days(7)] {
                    _ = entry.windows.stats(over: window, now: Self.now)
                }
                _ = entry.windows.series(range: .hours(24), step: .minutes(15), now: Self.now)
            }
            _ = m.snapshot(now: Self.now)
        }
        #expect(restored > 0, "some damage (a value, a latency) is still a readable file")
    }

    @Test func wrongMagicAndOtherVersions() {
        var bytes = Self.bytes
        bytes[0] = UInt8(ascii: "X")
        #expect(Self.restoreFails(bytes) == .badMagic)
        #expect(Self.restoreFails(Array("{\"probes\": []}".utf8)) == .badMagic)
        bytes = Self.bytes
        bytes[6] = 5
        #expect(Self.restoreFails(bytes) == .unsupportedVersion(5))
        #expect(CheckpointError.unsupportedVersion(5).description.contains(
            "another format version 5 (this healthd reads 1 to 4); it was set aside and history starts empty"))
        #expect(Self.restoreFails(Self.bytes + [0]) == .corrupt("1 bytes after the declared end"))
    }

    @Test func removedProbeIsDropped() throws {
        var m = Monitor(spec: MonitorSpec(probes: [Self.spec.probes[1], ProbeRules(name: "new", kind: "tcp")]))
        let report = try m.restore(from: Self.bytes)
        #expect(report.restored == ["queue"])
        #expect(report.dropped == ["api", "idle"])
        #expect(m.entries[0].state == Self.fed.entries[1].state)
        #expect(m.entries[1].state.health == nil)
        #expect(report.description.contains("dropped 2 no longer configured (api, idle)"))
    }

    @Test func probeWhoseKindChangedStartsFresh() throws {
        var m = Monitor(spec: MonitorSpec(probes: [ProbeRules(name: "api", kind: "tcp"), Self.spec.probes[1]]))
        let report = try m.restore(from: Self.bytes)
        #expect(report.kindChanged == ["api"] && report.restored == ["queue"] && report.dropped == ["idle"])
        #expect(m.entries[0].state == ProbeState())
        #expect(m.entries[0].windows.stats(over: .hours(24), now: Self.now).count == 0)
    }

    @Test func hostileCountsThrowBeforeAllocating() throws {
        // A probe count of 2⁶², framed correctly.
        var w = Checkpoint.start(writer: "evil", at: Self.now, reservingCapacity: 0)
        w.appendVarint(UInt64(1) << 62)
        #expect(Self.restoreFails(Checkpoint.finish(&w)) == .corrupt("probe count 4611686018427387904 exceeds 10000000"))
        w = Checkpoint.start(writer: "evil", at: Self.now, reservingCapacity: 0)
        w.appendVarint(5_000_000)
        guard case .corrupt = Self.restoreFails(Checkpoint.finish(&w)) else { Issue.record("count accepted"); return }

        var huge = ByteWriter()
        huge.appendVarint(UInt64.max)
        var r = ByteReader(huge.bytes)
        #expect(throws: CheckpointError.self) { try r.readArray(max: .max, "elements") { r throws(CheckpointError) in try r.readByte() } }
        r = ByteReader(huge.bytes)
        #expect(throws: CheckpointError.self) { try r.readString() }
        // 2³⁰ within the limit, but not within the bytes at hand.
        huge = ByteWriter()
        huge.appendVarint(1 << 30)
        r = ByteReader(huge.bytes + [1, 2, 3])
        #expect(throws: CheckpointError.self) { try r.readArray(max: .max, "elements") { r throws(CheckpointError) in try r.readByte() } }
        // Values that would overflow later: a counter near Int.max, a time at the end of Int64.
        var state = ByteWriter()
        state.append(bytes: [0, 0, 0])  // no health, no since, no reasons
        state.appendVarint(UInt64(Int64.max))
        r = ByteReader(state.bytes)
        #expect(throws: CheckpointError.self) { try ProbeState(decoding: &r) }
        #expect(throws: CheckpointError.self) { try ByteReader.time(.min) }
        // An 11-byte varint.
        r = ByteReader([UInt8](repeating: 0xFF, count: 10) + [1])
        #expect(throws: CheckpointError.self) { try r.readVarint() }
    }

    @Test func sketchesInconsistentWithTheirBucketAreRejected() {
        func decode(_ bytes: [UInt8], count: Int) -> CheckpointError? {
            var r = ByteReader(bytes)
            do { _ = try LatencySketch<59>(decoding: &r, expectedCount: count) } catch { return error }
            return nil
        }
        #expect(decode([0, 2, 5, 0x00, 0x01], count: 3) == nil)  // keys 5 and 6: counts 1 and 2
        #expect(decode([0, 2, 5, 0x00, 0x01], count: 4) != nil)  // not the bucket's count
        #expect(decode([0, 1, 0xFF, 0xFF, 0x03, 0x00], count: 1) != nil)  // a key beyond every histogram
        #expect(decode([0, 2, 5, 0x00, 0xFF], count: 2) != nil)  // entry runs past the stream
        #expect(decode([0, 1, 5, 0x80], count: 1) != nil)  // the first entry is not the lowest key
        #expect(decode([4, 0, 0], count: 0) != nil)  // no such level
        #expect(decode([0, 60, 1], count: 0) != nil)  // larger than the capacity
    }

    @Test func primitivesRoundTrip() throws {
        var w = ByteWriter()
        let unsigned: [UInt64] = [0, 1, 127, 128, 300, 1 << 35, .max]
        let signed: [Int64] = [0, -1, 1, -64, 64, .min, .max]
        for v in unsigned { w.appendVarint(v) }
        for v in signed { w.appendZigZag(v) }
        w.append(-0.0)
        w.append(Double.nan)
        w.append(Float(1.5))
        w.append("Zürich — 東京")
        w.appendFixed(UInt16(0xBEEF))
        #expect(w.bytes.suffix(2) == [0xEF, 0xBE])
        var r = ByteReader(w.bytes)
        for v in unsigned { #expect(try r.readVarint() == v) }
        for v in signed { #expect(try r.readZigZag() == v) }
        #expect(try r.readDouble().bitPattern == (-0.0).bitPattern)
        #expect(try r.readDouble().isNaN)
        #expect(try r.readFloat() == 1.5)
        #expect(try r.readString() == "Zürich — 東京")
        #expect(try r.readFixed(UInt16.self) == 0xBEEF)
        #expect(r.isAtEnd)
        #expect(throws: CheckpointError.truncated) { try r.readByte() }
        r = ByteReader([2, 0xC3, 0x28])  // invalid UTF-8
        #expect(throws: CheckpointError.self) { try r.readString() }
    }
}

/// Deterministic, tiny: no Foundation in HealthCore's tests.
struct Lcg {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
}

/// Whole files in one buffer, for crafting ones the daemon would never write.
extension Checkpoint {
    /// A writer holding the header, its length field still to be set by `finish`.
    static func start(writer version: String, at time: Timestamp, reservingCapacity capacity: Int) -> ByteWriter {
        var w = ByteWriter(reservingCapacity: capacity)
        appendHeader(to: &w, writer: version, at: time, length: 0)
        return w
    }

    /// Sets the length and appends the checksum.
    static func finish(_ w: inout ByteWriter) -> [UInt8] {
        var bytes = w.bytes
        withUnsafeBytes(of: UInt64(bytes.count + trailerBytes).littleEndian) { length in
            for (i, byte) in length.enumerated() { bytes[magic.count + 2 + i] = byte }
        }
        var trailer = ByteWriter()
        trailer.appendFixed(CRC32.checksum(bytes))
        return bytes + trailer.bytes
    }
}
