import Foundation
import HealthCore
import HealthSys

/// History that survives restarts: size of a checkpoint of N probes with every tier full, and the time to write it
/// and to restore it into a fresh monitor (medians, as the first run also pays for page faults).
enum CheckpointBench {
    static func run(probes: Int = 1000, runs: Int = 5) {
        let spec = MonitorSpec(probes: (0..<probes).map { ProbeRules(name: "http-\($0).example.internal", kind: "http") })
        var monitor = Monitor(spec: spec)
        var rng = SplitMix(seed: 7)
        let end = Timestamp(seconds: 1_795_000_000), minutes = 7 * 1440
        // One sample a minute for 7 days fills every tier (1m × 61 … 1h × 169) and the 384-sample raw ring. Probe by
        // probe, so one history at a time is in cache; half carry values, 1 % fail.
        let fill0 = monotonicNanos()
        for i in 0..<probes {
            for minute in 0..<minutes {
                let time = end - .minutes(Int64(minutes - 1 - minute)) - .seconds(Int64(rng.next() % 60))
                let failure = rng.next() % 100 == 0 ? ProbeFailure(.timeout, "timed out") : nil
                monitor.ingest(Sample(time: time, latencyMs: rng.lognormal(mu: 2, sigma: 0.6),
                                      value: i.isMultiple(of: 2) ? Double(rng.next() % 10_000) / 8 : nil,
                                      failure: failure), probe: i)
            }
        }
        let fillSeconds = Double(monotonicNanos() - fill0) / 1e9

        var bytes: [UInt8] = []
        let writes = (0..<runs).map { _ in
            let t0 = monotonicNanos()
            bytes = monitor.checkpoint(now: end, writer: "bench")
            return Double(monotonicNanos() - t0) / 1e6
        }
        let size = Double(bytes.count)
        line("checkpoint.size.n\(probes)", "\(fmt(size / 1_048_576)) MiB, \(fmt(size / Double(probes) / 1024)) KiB per probe " +
             "(every tier full: 7 days at one sample a minute, filled in \(fmt(fillSeconds)) s)")
        line("checkpoint.write.n\(probes)", "\(fmt(median(writes))) ms (median of \(runs)), \(fmt(size / median(writes) / 1e3)) MB/s")

        var restores: [Double] = []
        for _ in 0..<runs {
            var fresh = Monitor(spec: spec)  // allocated before the clock starts: a daemon has it already
            let t0 = monotonicNanos()
            let report: CheckpointRestore
            do { report = try fresh.restore(from: bytes) } catch {
                line("checkpoint.restore.n\(probes)", "failed: \(error)")
                return
            }
            restores.append(Double(monotonicNanos() - t0) / 1e6)
            guard report.restored.count == probes,
                  fresh.entries[probes - 1].windows.stats(over: .days(7), now: end)
                    == monitor.entries[probes - 1].windows.stats(over: .days(7), now: end) else {
                line("checkpoint.restore.n\(probes)", "restored history differs from the original")
                return
            }
        }
        line("checkpoint.restore.n\(probes)", "\(fmt(median(restores))) ms (median of \(runs)), " +
             "write + restore \(fmt(median(writes) + median(restores))) ms")

        // A minute on at 1 s: what the journal records instead of the whole checkpoint again.
        for i in 0..<probes { monitor.markSaved(i) }
        let later = end + .minutes(1)
        for second in 1...60 {
            for i in 0..<probes {
                monitor.ingest(Sample(time: end + .seconds(Int64(second)), latencyMs: rng.lognormal(mu: 2, sigma: 0.6),
                                      value: i.isMultiple(of: 2) ? Double(rng.next() % 10_000) / 8 : nil), probe: i)
            }
        }
        var record: [UInt8] = []
        let records = (0..<runs).map { _ in
            let t0 = monotonicNanos()
            var stream = CheckpointStream(.changes, writer: "bench", at: later, probes: probes)
            for entry in monitor.entries { stream.append(entry) }
            let (header, body, _) = stream.finish()
            record = header + body
            return Double(monotonicNanos() - t0) / 1e6
        }
        line("checkpoint.journal_record.n\(probes)", "\(fmt(Double(record.count) / 1024)) KiB, \(fmt(Double(record.count) / size * 100)) % of the " +
             "checkpoint; encoded in \(fmt(median(records))) ms, \(fmt(median(records) / median(writes))) × the checkpoint's (a minute of 1 s samples since it)")
        var fresh = Monitor(spec: spec)
        let t0 = monotonicNanos()
        let report = try? fresh.restore(from: bytes, journal: Journal.header(for: Journal.Base(checkpoint: bytes)!) + record)
        let restoreMs = Double(monotonicNanos() - t0) / 1e6
        guard report?.journalRecords == 1, fresh.entries[probes - 1].windows.stats(over: .minutes(5), now: later)
                == monitor.entries[probes - 1].windows.stats(over: .minutes(5), now: later) else {
            return line("checkpoint.restore_with_record.n\(probes)", "restored history differs from the original")
        }
        line("checkpoint.restore_with_record.n\(probes)", "\(fmt(restoreMs)) ms, \(fmt(restoreMs / median(restores))) × the checkpoint's alone")
    }

    private static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}
