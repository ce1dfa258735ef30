#if canImport(Glibc)
import Glibc
#endif

/// A whole file's bytes, read into one buffer sized by its length (no growing copies, no Data in between: a
/// checkpoint of 10,000 probes is hundreds of MB). A file longer than `maxBytes` (a sparse terabyte, say) is refused
/// with EFBIG before anything is allocated for it. Blocking: call it off the event loop and the concurrency pool.
package func readFileBytes(_ path: String, maxBytes: Int = .max) throws(SystemError) -> [UInt8] {
    let fd = try syscall("open \(path)") { open(path, O_RDONLY | O_CLOEXEC) }
    defer { close(fd) }
    var st = stat()
    try syscall("fstat \(path)") { fstat(fd, &st) }
    guard st.st_size <= maxBytes else { throw SystemError("read \(path) (\(st.st_size) bytes, more than \(maxBytes))", errno: EFBIG) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(Int(st.st_size) + 1)  // one more, to see the end without growing
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let n = try syscall("read \(path)") { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
        guard n > 0 else { return bytes }
        bytes += chunk[..<n]
    }
}
