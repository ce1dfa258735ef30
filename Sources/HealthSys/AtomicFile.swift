#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file so readers see the old or the new content, never a torn one:
/// a temp file in the same directory, fsync, rename, then fsync of the directory.
package enum AtomicFile {
    package static func write(_ bytes: some Collection<UInt8>, to path: String, mode: mode_t = 0o644) throws(SystemError) {
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let base = path.split(separator: "/").last.map(String.init) ?? path
        let tmp = "\(dir)/.\(base).\(getpid()).tmp"
        var fd = try syscall("open \(tmp)") { open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        // Closed exactly once, whichever step fails: a second close could close a descriptor
        // another thread has opened meanwhile under the same number.
        func closeOnce() {
            if fd >= 0 { close(fd) }
            fd = -1
        }
        do throws(SystemError) {
            let data = Array(bytes)
            var offset = 0
            while offset < data.count {
                let n = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SystemError("write \(tmp)")
                }
                offset += n
            }
            try syscall("fsync \(tmp)") { fsync(fd) }
            closeOnce()
            try syscall("rename \(tmp)") { rename(tmp, path) }
        } catch {
            closeOnce()
            unlink(tmp)
            throw error
        }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }
}
