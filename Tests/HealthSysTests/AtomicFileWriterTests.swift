import Foundation
import Testing
import HealthSys

/// A file written in pieces is put in place whole or not at all: readers see the old content until `commit`,
/// a piece written at an offset replaces what was there, and an abandoned or dropped writer leaves no temp file.
@Suite struct AtomicFileWriterTests {
    /// A scratch directory holding `f` with "old" in it, removed after `body`.
    static func withOldFile(_ name: String, _ body: (_ dir: String, _ path: String) throws -> Void) throws {
        let dir = NSTemporaryDirectory() + "healthd-atomic-\(getpid())-\(name)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(Array("old".utf8), to: "\(dir)/f")
        try body(dir, "\(dir)/f")
    }

    static func names(in dir: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    @Test func piecesAndAHeaderWrittenLast() throws { try Self.withOldFile("pieces") { dir, path in
        let file = try AtomicFileWriter(path: path)
        try file.append([0, 0, 0, 0])  // room for the header
        try file.append(Array("body".utf8))
        try file.append(Array(repeating: UInt8(ascii: "x"), count: 100_000))
        #expect(try readFileBytes(path) == Array("old".utf8), "replaced before commit")
        try file.write(Array("HEAD".utf8), at: 0)
        try file.append(Array("end".utf8))
        try file.commit()
        #expect(try readFileBytes(path) == Array("HEADbody".utf8) + Array(repeating: UInt8(ascii: "x"), count: 100_000) + Array("end".utf8))
        #expect(Self.names(in: dir) == ["f"])
    } }

    /// A string's UTF-8 is written from where it is, and any other collection of bytes through a copy: the same file.
    @Test func contiguousAndOtherCollections() throws { try Self.withOldFile("collections") { _, path in
        let page = String(repeating: "<p>héllo · ✓</p>", count: 5_000)
        try AtomicFile.write(page.utf8, to: path)
        #expect(try readFileBytes(path) == Array(page.utf8))
        try AtomicFile.write(page.utf8.lazy.map { $0 }.filter { _ in true }, to: path)
        #expect(try readFileBytes(path) == Array(page.utf8))
    } }

    @Test func anAbandonedOrDroppedWriterLeavesTheOldFileAndNoTemp() throws { try Self.withOldFile("abandon") { dir, path in
        let abandoned = try AtomicFileWriter(path: path)
        try abandoned.append(Array("new".utf8))
        abandoned.abandon()
        abandoned.abandon()
        #expect(throws: SystemError.self) { try abandoned.append([1]) }
        do {
            let dropped = try AtomicFileWriter(path: path)
            try dropped.append(Array("newer".utf8))
        }
        #expect(try readFileBytes(path) == Array("old".utf8))
        #expect(Self.names(in: dir) == ["f"])
    } }
}
