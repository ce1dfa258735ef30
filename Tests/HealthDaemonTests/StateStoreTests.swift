import Foundation
import Testing
@testable import HealthDaemon

/// What `state.dir` may hold that is no checkpoint: a file far larger than any checkpoint (sparse, so it costs no
/// disk) is set aside unread, and the daemon starts with empty history; a missing one is simply none.
@Suite struct StateStoreTests {
    @Test func anOversizedCheckpointIsSetAsideUnread() throws {
        let dir = NSTemporaryDirectory() + "healthd-state-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = StateStore(dir: dir, logger: Logger(environment: [:]))
        #expect(store.loadCheckpoint() == nil)
        #expect(FileManager.default.createFile(atPath: store.checkpointPath, contents: nil))
        #expect(truncate(store.checkpointPath, off_t(StateStore.maxCheckpointBytes) + 1) == 0)
        #expect(store.loadCheckpoint() == nil)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(left.count == 1 && left[0].hasPrefix("checkpoint.bad-"), "\(left)")
    }
}
