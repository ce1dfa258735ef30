import Foundation
import HealthClient
import HealthCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// History, run-time silences and alert progress survive a restart; a bad checkpoint is set aside.
@Suite(.serialized) struct CheckpointRestartTests {
    func count24h(_ probe: [String: Any]?) -> Int {
        (((probe?["windows"] as? [String: Any])?["24h"] as? [String: Any])?["count"] as? Int) ?? -1
    }

    @Test func restartKeepsHistorySilencesAndAlerts() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let svc = SwitchProbe("svc", in: work)
        let hook = try RecordingHook(in: work)
        let first = try DaemonHarness(probes: "[\(svc.config)]", extra: """
            state: { dir: "\(work)/state", checkpoint_interval: "1s" },
            hooks: { rec: { kind: "exec", argv: ["\(hook.script)"], concurrency: 1 } },
            alerts: [ { probes: ["svc"], hooks: ["rec"] } ],
            """)
        first.waitForSocket()
        first.waitForProbe("svc") { self.count24h($0) >= 10 }
        svc.set(2)
        _ = hook.waitFor(count: 1)
        let c = try APIClient(path: first.socketPath)
        _ = try c.request(#"{"op":"silence","match":["other"],"duration":"1h","reason":"kept across restarts"}"#)
        first.signal(SIGTERM)
        #expect(first.waitForExit(seconds: 5) == 0)
        let before = count24h(first.probe("svc"))
        #expect(first.log().contains("healthd stopped"))

        let second = try DaemonHarness(configPath: first.configPath, dir: first.dir)
        second.waitForSocket()
        let c2 = try APIClient(path: second.socketPath)
        let restored = (try JSONSerialization.jsonObject(with: Data(try c2.request(#"{"op":"probe","name":"svc"}"#))) as? [String: Any])?["svc"] as? [String: Any]
        #expect(count24h(restored) >= before, "the 24 h window kept its \(before) samples")
        #expect(restored?["health"] as? String == "down", "the state came back too")
        let silences = (try JSONSerialization.jsonObject(with: Data(try c2.request(#"{"op":"silences"}"#))) as? [String: Any])?["silences"] as? [[String: Any]]
        #expect(silences?.first?["reason"] as? String == "kept across restarts")
        #expect(second.logSoFarContains("restored history from"))
        #expect(second.logSoFarContains("journal records after it"), "the history since the checkpoint came from its journal")
        // Still down after the restart: the receivers already know, so nothing is sent again. Two runs later,
        // the resolve goes through the same hook (one at a time, in order) after anything sent before it.
        let restoredRuns = count24h(restored)
        second.waitForProbe("svc") { self.count24h($0) >= restoredRuns + 2 && $0["health"] as? String == "down" }
        svc.set(0)
        waitUntil("the resolve") { hook.deliveries().contains { $0.json["event"] as? String == "resolved" } }
        #expect(hook.deliveries().map { $0.json["event"] as? String } == ["firing", "resolved"],
                "a restart does not re-notify a firing alert")
        withExtendedLifetime(first) {}
    }

    /// Across restarts the checkpoint stays and its journal goes on; a record cut off by a crash is reported and cut
    /// away, and the records before it are restored.
    @Test func theJournalGoesOnAcrossRestartsPastATornRecord() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let svc = SwitchProbe("svc", in: work)
        let first = try DaemonHarness(probes: "[\(svc.config)]", extra: #"state: { dir: "\#(work)/state", checkpoint_interval: "1s" },"#)
        first.waitForProbe("svc") { self.count24h($0) >= 4 }
        first.signal(SIGTERM)
        #expect(first.waitForExit(seconds: 5) == 0)
        let before = count24h(first.probe("svc"))
        let checkpoint = try Data(contentsOf: URL(fileURLWithPath: "\(work)/state/checkpoint"))
        let journalPath = "\(work)/state/checkpoint.journal"
        let whole = try Data(contentsOf: URL(fileURLWithPath: journalPath))
        // A record whose header says 1,000 bytes, of which 10 made it to disk.
        var torn = whole
        torn.append(contentsOf: [0xE8, 0x03, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4] + [UInt8](repeating: 7, count: 10))
        try torn.write(to: URL(fileURLWithPath: journalPath))

        let second = try DaemonHarness(configPath: first.configPath, dir: first.dir)
        second.waitForSocket()
        #expect(count24h(second.probe("svc")) >= before)
        #expect(second.logSoFarContains("ends early: the record at byte \(whole.count) is cut off; the history saved after that is lost"))
        second.waitForProbe("svc") { self.count24h($0) >= before + 3 }
        second.signal(SIGTERM)
        #expect(second.waitForExit(seconds: 5) == 0)
        let later = count24h(second.probe("svc"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(work)/state/checkpoint")) == checkpoint,
                "the checkpoint was written again, not the journal continued")
        let journal = try Data(contentsOf: URL(fileURLWithPath: journalPath))
        #expect(journal.count > whole.count && journal.prefix(whole.count) == whole, "the torn record was not cut away")

        let third = try DaemonHarness(configPath: first.configPath, dir: first.dir)
        third.waitForSocket()
        #expect(count24h(third.probe("svc")) >= later)
        #expect(!third.logSoFarContains("ends early"))
        withExtendedLifetime((first, second)) {}
    }

    /// A checkpoint written 3 h ahead of the clock (set back between a stop and a start) is restored
    /// whole, with a warning; the probe, down in it, is judged on its new results.
    @Test func aCheckpointFromTheFutureIsKeptWithAWarning() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let written = Timestamp(seconds: Date().timeIntervalSince1970) + .hours(3)
        var monitor = Monitor(spec: MonitorSpec(probes: [ProbeRules(name: "svc", kind: "exec")]))
        for s in 0..<60 {
            monitor.ingest(Sample(time: written - .seconds(Int64(60 - s)), latencyMs: 3, failure: ProbeFailure(.exec, "exit 2")), probe: 0)
        }
        try FileManager.default.createDirectory(atPath: "\(work)/state", withIntermediateDirectories: true)
        try Data(monitor.checkpoint(now: written, writer: "test")).write(to: URL(fileURLWithPath: "\(work)/state/checkpoint"))
        let svc = SwitchProbe("svc", in: work)
        let d = try DaemonHarness(probes: "[\(svc.config)]", extra: #"state: { dir: "\#(work)/state" },"#)
        #expect(d.waitForProbe("svc") { $0["health"] as? String == "healthy" } != nil, "not judged on its new results")
        #expect(d.logSoFarContains("restored the history of 1 probes"))
        #expect(d.logSoFarContains("ahead of this clock (was it set back?): its history is kept"))
    }

    /// A journal healthd cannot read beside a good checkpoint is set aside, the checkpoint restored, and a new journal
    /// started for it.
    @Test func anUnreadableJournalIsSetAside() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        var monitor = Monitor(spec: MonitorSpec(probes: [ProbeRules(name: "svc", kind: "exec")]))
        let now = Timestamp(seconds: Date().timeIntervalSince1970)
        for s in 0..<30 { monitor.ingest(Sample(time: now - .seconds(Int64(60 - s)), latencyMs: 3), probe: 0) }
        try FileManager.default.createDirectory(atPath: "\(work)/state", withIntermediateDirectories: true)
        try Data(monitor.checkpoint(now: now, writer: "test")).write(to: URL(fileURLWithPath: "\(work)/state/checkpoint"))
        try Data("HDJRNL\u{7}\u{0} from a healthd yet to come".utf8).write(to: URL(fileURLWithPath: "\(work)/state/checkpoint.journal"))
        let svc = SwitchProbe("svc", in: work)
        let d = try DaemonHarness(probes: "[\(svc.config)]", extra: #"state: { dir: "\#(work)/state", checkpoint_interval: "1s" },"#)
        #expect(d.waitForProbe("svc") { self.count24h($0) >= 31 } != nil, "the checkpoint's 30 samples were not restored")
        #expect(d.logSoFarContains("cannot apply \(work)/state/checkpoint.journal: journal version 7, this healthd reads 1; set aside as"))
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(work)/state")
        #expect(files.contains { $0.hasPrefix("checkpoint.journal.bad-") } && files.contains("checkpoint.journal"))
    }

    @Test func aCorruptCheckpointIsSetAside() throws {
        let work = try DaemonHarness.makeDir()
        defer { try? FileManager.default.removeItem(atPath: work) }
        try FileManager.default.createDirectory(atPath: "\(work)/state", withIntermediateDirectories: true)
        try Data("HDCKPT this is not a checkpoint".utf8).write(to: URL(fileURLWithPath: "\(work)/state/checkpoint"))
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: "\(work)/state/state.json"))
        let svc = SwitchProbe("svc", in: work)
        let d = try DaemonHarness(probes: "[\(svc.config)]", extra: #"state: { dir: "\#(work)/state" },"#)
        d.waitForProbe("svc") { $0["health"] as? String == "healthy" }
        #expect(d.logSoFarContains("set aside as \(work)/state/checkpoint.bad-"))
        #expect(d.logSoFarContains("state.json is not a state file of this version"))
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(work)/state")
        #expect(files.contains { $0.hasPrefix("checkpoint.bad-") } && files.contains { $0.hasPrefix("state.json.bad-") })
    }
}
