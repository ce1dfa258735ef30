import CHealthSys
#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file so readers see the old or the new content, never a torn one:
/// a temp file in the same directory, fsync, rename, then fsync of the directory.
package enum AtomicFile {
    package static func write(_ bytes: some Collection<UInt8>, to path: String, mode: mode_t = 0o644) throws(SystemError) {
        let file = try AtomicFileWriter(path: path, mode: mode)
        do throws(SystemError) {
            try file.append(bytes)
            try file.commit()
        } catch {
            file.abandon()
            throw error
        }
    }
}

/// A file written in pieces — appended, with a part written again in place (a header known only at the end) — and
/// put in place whole, as `AtomicFile` does, or not at all. Used by one thread (a queue) at a time.
package final class AtomicFileWriter {
    private let path: String, dir: String, tmp: String
    private var fd: Int32
    private var appended = 0

    package init(path: String, mode: mode_t = 0o644) throws(SystemError) {
        self.path = path
        dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let tmp = "\(dir)/.\(base).\(getpid()).tmp"
        self.tmp = tmp
        fd = try syscall("open \(tmp)") { open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
    }

    /// Bytes written so far: the file's length.
    package var length: Int { appended }

    /// A writer dropped half-way leaves no temp file behind.
    deinit { abandon() }

    /// Appends `bytes` after everything appended so far; from where they are when they are contiguous (a native
    /// string's UTF-8: a status page of 10,000 probes is ~36 MB, which a copy would add to the daemon's peak).
    /// Their writeback starts at once, so that `commit`'s fsync does not flush a checkpoint's hundreds of MB in one go.
    package func append(_ bytes: some Collection<UInt8>) throws(SystemError) {
        let start = appended
        let written = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(SystemError) in try write(UnsafeRawBufferPointer(buffer), at: nil) }
        }
        if let written { try written.get() } else { try write(Array(bytes), at: nil) }
        appended += bytes.count
        _ = chs_start_writeback(fd, Int64(start), Int64(bytes.count))  // only a hint: commit's fsync still flushes all
    }

    /// Writes `bytes` at `offset`, over what was appended there before.
    package func write(_ bytes: [UInt8], at offset: Int) throws(SystemError) {
        try write(bytes, at: Optional(offset))
    }

    private func write(_ bytes: [UInt8], at offset: Int?) throws(SystemError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(SystemError) in try write(raw, at: offset) } }.get()
    }

    /// Flushes the file to disk and puts it in place of `path`; the writer is done.
    package func commit() throws(SystemError) {
        try syscall("fsync \(tmp)") { fsync(fd) }
        closeOnce()
        do throws(SystemError) { try syscall("rename \(tmp)") { rename(tmp, path) } } catch {
            unlink(tmp)
            throw error
        }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// Drops what was written; `path` keeps what it had. Safe to call more than once, and after `commit`.
    package func abandon() {
        guard fd >= 0 else { return }
        closeOnce()
        unlink(tmp)
    }

    private func write(_ raw: UnsafeRawBufferPointer, at offset: Int?) throws(SystemError) {
        try writeAll(raw, to: fd, at: offset, naming: tmp)
    }

    /// Closed exactly once, whichever step fails: a second close could close a descriptor another thread has
    /// opened meanwhile under the same number.
    private func closeOnce() {
        if fd >= 0 { close(fd) }
        fd = -1
    }
}

/// Writes all of `raw` to `fd`, at `offset` (pwrite) or at the file position; EINTR and short writes are retried.
func writeAll(_ raw: UnsafeRawBufferPointer, to fd: Int32, at offset: Int?, naming path: String) throws(SystemError) {
    guard fd >= 0 else { throw SystemError("write \(path)", errno: EBADF) }
    var done = 0
    while done < raw.count {
        let from = raw.baseAddress! + done, count = raw.count - done
        let n = offset.map { pwrite(fd, from, count, off_t($0 + done)) } ?? Glibc.write(fd, from, count)
        if n < 0 {
            if errno == EINTR { continue }
            throw SystemError("write \(path)")
        }
        done += n
    }
}
