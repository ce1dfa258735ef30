@testable import HealthDaemon
import Testing

@Suite struct LatestSnapshotTests {
    let restored: [UInt8] = Array("restored\n".utf8), first: [UInt8] = Array("first\n".utf8), second: [UInt8] = Array("second!\n".utf8)

    @Test func theRestoredSnapshotIsAnsweredUntilANewerOneIsWritten() {
        var latest = LatestSnapshot(restored: restored)
        #expect(latest.held?.json == restored && latest.held?.generation == 0)
        let g = latest.publish()
        #expect(g == 1)
        // Published, not yet written: nothing current is held, and until the write is done the file is the last
        // run's, so a question waiting for the writes still gets the restored snapshot.
        #expect(latest.held == nil)
        #expect(latest.source == .held(json: restored, generation: 0))
        latest.wrote(g, length: first.count)
        #expect(latest.source == .file(length: first.count, generation: g))
    }

    @Test func whatIsReadBackIsKeptUntilTheNextPublish() {
        var latest = LatestSnapshot(restored: restored)
        let g = latest.publishedAndWritten(first)
        latest.read(first, generation: g)
        #expect(latest.held?.json == first && latest.held?.generation == g)
        #expect(latest.source == .held(json: first, generation: g))
        let next = latest.publish()
        #expect(latest.held == nil)
        latest.wrote(next, length: second.count)
        #expect(latest.source == .file(length: second.count, generation: 2))
    }

    @Test func aReadOvertakenByAPublishIsNotKept() {
        var latest = LatestSnapshot(restored: restored)
        let g = latest.publishedAndWritten(first)
        // The read ran after write 1; publish 2 came before it finished.
        _ = latest.publish()
        latest.read(first, generation: g)
        #expect(latest.held == nil)
        #expect(latest.source == .file(length: first.count, generation: 1))
    }

    @Test func aSnapshotThatCouldNotBeWrittenIsHeldUntilANewerOneIs() {
        var latest = LatestSnapshot(restored: restored)
        _ = latest.publishedAndWritten(first)
        let g2 = latest.publish()
        latest.failedToWrite(second, generation: g2)
        #expect(latest.held?.json == second)
        // Superseded but still newer than the file: answered from memory, not from the older file.
        let g3 = latest.publish()
        #expect(latest.held == nil)
        #expect(latest.source == .held(json: second, generation: g2))
        latest.wrote(g3, length: 3)
        #expect(latest.source == .file(length: 3, generation: g3))
    }
}

extension LatestSnapshot {
    /// Publishes `json` and writes it; its number.
    mutating func publishedAndWritten(_ json: [UInt8]) -> Int {
        let g = publish()
        wrote(g, length: json.count)
        return g
    }
}
