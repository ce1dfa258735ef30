import HealthCore

/// A checkpoint's journal applied to a small checkpoint: two probes with an hour of history. The first byte chooses
/// what the rest is: even, the records as they are (their framing is under test); odd, one record's body, which the
/// harness frames with its length and CRC (so that mutations reach the decoder rather than fail the checksum).
/// Whatever the records hold, the restore must not trap, must end the journal within the bytes it was given, and must
/// leave windows that answer, take new samples and save and restore again.
enum JournalFuzz {
    static let spec = MonitorSpec(probes: [ProbeRules(name: "a", kind: "http"), ProbeRules(name: "b", kind: "tcp")])
    static let now = Timestamp(nanoseconds: 1_795_000_000 * 1_000_000_000)

    /// An hour of samples every 10 s, some failed, some late, some with values.
    static let base: [UInt8] = {
        var m = Monitor(spec: spec)
        for s in stride(from: 3600, to: 0, by: -10) {
            let time = now - .seconds(Int64(s))
            m.ingest(Sample(time: time, latencyMs: Double(s % 97) + 0.5, value: s % 20 == 0 ? Double(s) : nil), probe: 0)
            m.ingest(Sample(time: s % 70 == 0 ? time - .minutes(3) : time, latencyMs: 2,
                            failure: s % 50 == 0 ? ProbeFailure(.refused, "refused") : nil), probe: 1)
        }
        return m.checkpoint(now: now, writer: "fuzz")
    }()

    static func run(_ input: [UInt8]) -> FuzzOutcome {
        var outcome = FuzzOutcome()
        let header = Journal.header(for: Journal.Base(checkpoint: base)!)
        let rest = Array(input.dropFirst())
        let records = (input.first ?? 0) & 1 == 1 ? Journal.record(body: rest) : rest
        var m = Monitor(spec: spec)
        let report: CheckpointRestore
        do { report = try m.restore(from: base, journal: header + records) } catch {
            outcome.expect(false, "the checkpoint itself was refused: \(error)")
            return outcome
        }
        outcome.outputSize += report.journalProblem?.utf8.count ?? 0
        let end = report.journalEnd ?? -1
        let framing = Journal.headerBytes
        outcome.expect(end >= framing && end <= header.count + records.count, "the journal ends at \(end) of \(header.count + records.count)")
        let newest = m.entries.compactMap { $0.state.lastSample?.time }.max() ?? now
        for i in m.entries.indices {
            for window in [TimeSpan.minutes(5), .hours(1), .days(7)] { _ = m.entries[i].windows.stats(over: window, now: newest) }
            _ = m.entries[i].windows.series(range: .hours(6), step: .minutes(5), now: newest)
            for time in [newest + .seconds(1), newest - .minutes(2), newest - .hours(3)] {
                m.ingest(Sample(time: time, latencyMs: 4), probe: i)
            }
        }
        var again = Monitor(spec: spec)
        do { _ = try again.restore(from: m.checkpoint(now: newest, writer: "fuzz")) } catch {
            outcome.expect(false, "what the journal restored does not restore again: \(error)")
        }
        return outcome
    }
}
