#if canImport(Glibc)
import Glibc
#endif

/// Monotonic nanoseconds, for deadlines and scheduling (never jumps).
@inline(__always)
package func monotonicNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// Wall-clock nanoseconds since the epoch, for sample times shown to people.
@inline(__always)
package func wallNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// CPU time this process has used (user + system), in microseconds.
package func processCPUMicros() -> Int64 {
    var ru = rusage()
    getrusage(RUSAGE_SELF.rawValue, &ru)
    return Int64(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1_000_000 + Int64(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec)
}

/// Resident set size in bytes, from /proc/self/statm.
package func residentBytes() -> Int {
    let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var buf = [UInt8](repeating: 0, count: 128)
    let n = read(fd, &buf, buf.count)
    guard n > 0 else { return 0 }
    let fields = String(decoding: buf[..<n], as: UTF8.self).split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}
