import Foundation
import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// A blocking client of the API socket, for healthctl and tests (not used inside the daemon).
package final class APIClient {
    package static let defaultSocket = "/run/healthd/healthd.sock"

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
        /// The errno behind it, 0 when none: tells "not running" (ENOENT, ECONNREFUSED) from "not allowed" (EACCES).
        package var errno: Int32 = 0
    }

    package enum Read: Equatable {
        case line([UInt8])
        case timedOut
        /// The daemon closed the connection.
        case closed
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    package init(path: String) throws(Failure) {
        do {
            fd = try UnixSocket.connect(path: path)
        } catch {
            throw Failure(description: Self.connectMessage(path: path, errno: error.errno), errno: error.errno)
        }
    }

    deinit { close(fd) }

    /// For callers that wait on many clients with poll(2).
    package var fileDescriptor: Int32 { fd }

    /// What went wrong and what to do about it.
    static func connectMessage(path: String, errno e: Int32) -> String {
        let what = "cannot connect to \(path): \(String(cString: strerror(e)))"
        switch e {
        case ENOENT, ECONNREFUSED, ENOTDIR:
            return what + " — is healthd running? systemctl status healthd"
        case EACCES, EPERM:
            guard let group = socketGroup(path) else {
                return what + " — you may not use this socket: ask an admin to add you to healthd's socket group, then log in again"
            }
            return what + " — you may not use this socket: ask an admin to add you to its group \"\(group)\" (usermod -aG \(group) $USER), then log in again"
        default:
            return what
        }
    }

    /// The group owning the socket file, when it can be seen.
    static func socketGroup(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0, let group = getgrgid(st.st_gid), let name = group.pointee.gr_name else { return nil }
        return String(cString: name)
    }

    package func send(_ line: String) throws(Failure) {
        var bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "sending to healthd failed: \(String(cString: strerror(errno)))", errno: errno)
            }
            offset += n
        }
    }

    /// The next response line (without its newline), or nil when the daemon closed the connection.
    package func readLine() throws(Failure) -> [UInt8]? {
        if case .line(let line) = try readLine(timeout: nil) { return line }
        return nil
    }

    /// The next line, waiting at most `timeout` seconds for it (nil: as long as it takes).
    package func readLine(timeout: Double?) throws(Failure) -> Read {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let nl = buffer.firstIndex(of: 10) {
                let line = Array(buffer[..<nl])
                buffer.removeFirst(nl + 1)
                return .line(line)
            }
            if let deadline {
                let left = deadline.timeIntervalSinceNow
                guard left > 0 else { return .timedOut }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let r = poll(&p, 1, Int32(min(left * 1000, 3_600_000).rounded(.up)))
                if r < 0, errno != EINTR { throw Failure(description: "waiting for healthd failed: \(String(cString: strerror(errno)))", errno: errno) }
                if r <= 0 { continue }
            }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return .closed }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "reading from healthd failed: \(String(cString: strerror(errno)))", errno: errno)
            }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    package func request(_ line: String) throws(Failure) -> [UInt8] {
        try request(line, timeout: nil)
    }

    /// One question, one answer; `timeout` in seconds (nil: no limit).
    package func request(_ line: String, timeout: Double?) throws(Failure) -> [UInt8] {
        try send(line)
        switch try readLine(timeout: timeout) {
        case .line(let reply): return reply
        case .closed: throw Failure(description: "healthd closed the connection without answering")
        case .timedOut: throw Failure(description: "healthd did not answer within \(formatSeconds(timeout ?? 0)) s", errno: ETIMEDOUT)
        }
    }

    private func formatSeconds(_ s: Double) -> String { s == s.rounded() ? String(Int(s)) : String(s) }
}
