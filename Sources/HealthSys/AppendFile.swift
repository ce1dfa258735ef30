import CHealthSys
#if canImport(Glibc)
import Glibc
#endif

/// A file that grows by appends made durable one at a time (`sync`), whose tail can be cut back to the end of the
/// last good append: the checkpoint's journal. Used by one thread (a queue) at a time.
package final class AppendFile {
    package let path: String
    private var fd: Int32
    /// Bytes the file holds: where the next append goes.
    package private(set) var length: Int

    /// Opens the file at `path`, which must exist, cut back to `length` bytes (what a reader found whole).
    package init(path: String, length: Int) throws(SystemError) {
        self.path = path
        fd = try syscall("open \(path)") { open(path, O_WRONLY | O_CLOEXEC) }
        self.length = length
        do throws(SystemError) { try truncate(to: length) } catch {
            close(fd)
            throw error
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Appends `bytes` at the end; their writeback starts at once (see `AtomicFileWriter.append`).
    package func append(_ bytes: [UInt8]) throws(SystemError) {
        try write(bytes, at: length)
        _ = chs_start_writeback(fd, Int64(length), Int64(bytes.count))
        length += bytes.count
    }

    /// Writes `bytes` at `offset`, over what was appended there.
    package func write(_ bytes: [UInt8], at offset: Int) throws(SystemError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(SystemError) in try writeAll(raw, to: fd, at: offset, naming: path) } }.get()
    }

    /// Waits until everything written is on disk.
    package func sync() throws(SystemError) {
        try syscall("fdatasync \(path)") { fdatasync(fd) }
    }

    /// Drops everything after the first `length` bytes.
    package func truncate(to length: Int) throws(SystemError) {
        try syscall("ftruncate \(path)") { ftruncate(fd, off_t(length)) }
        self.length = length
    }
}
