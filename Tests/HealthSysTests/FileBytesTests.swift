import Foundation
import Testing
import HealthSys

/// A whole file in one buffer: exactly its bytes across read boundaries, an empty file as nothing, and a missing
/// one as the errno that says so.
@Suite struct FileBytesTests {
    let dir = NSTemporaryDirectory() + "healthd-filebytes-\(getpid())"

    @Test(arguments: [0, 1, 65_536, 65_537, 300_001])
    func readsEveryByte(_ size: Int) throws {
        let dir = "\(dir)-\(size)"  // the cases run at once
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/f"
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        try AtomicFile.write(bytes, to: path)
        let read = try readFileBytes(path)
        #expect(read == bytes)
        #expect(read.capacity <= size + size / 32 + 64, "the buffer grew instead of being sized by the file")  // allocator rounding aside
    }

    /// A sparse file of a terabyte claims more than any buffer should take: refused by its length, not read.
    @Test func aFileLongerThanTheLimitIsEFBIG() throws {
        let dir = "\(dir)-big"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/sparse"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, 1 << 40) == 0)
        #expect(throws: SystemError("read \(path) (\(1 << 40) bytes, more than \(1 << 30))", errno: EFBIG)) {
            try readFileBytes(path, maxBytes: 1 << 30)
        }
    }

    @Test func aMissingFileIsENOENT() {
        #expect(throws: SystemError("open \(dir)/missing", errno: ENOENT)) { try readFileBytes("\(dir)/missing") }
    }
}
