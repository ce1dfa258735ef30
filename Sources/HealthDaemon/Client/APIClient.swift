import Foundation
import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// A blocking client of the API socket, for healthctl and tests (not used inside the daemon).
public final class APIClient {
    public static let defaultSocket = "/run/healthd/healthd.sock"

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    public init(path: String) throws(Failure) {
        do {
            fd = try UnixSocket.connect(path: path)
        } catch {
            let hint = error.errno == ENOENT || error.errno == ECONNREFUSED
                ? " — is healthd running? (systemctl status healthd)" : error.errno == EACCES ? " — are you in healthd's socket group?" : ""
            throw Failure(description: "cannot connect to \(path): \(String(cString: strerror(error.errno)))\(hint)")
        }
    }

    deinit { close(fd) }

    /// For callers that wait on many clients with poll(2).
    public var fileDescriptor: Int32 { fd }

    public func send(_ line: String) throws(Failure) {
        var bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "sending to healthd failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// The next response line (without its newline), or nil when the daemon closed the connection.
    public func readLine() throws(Failure) -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let nl = buffer.firstIndex(of: 10) {
                let line = Array(buffer[..<nl])
                buffer.removeFirst(nl + 1)
                return line
            }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return nil }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "reading from healthd failed: \(String(cString: strerror(errno)))")
            }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    public func request(_ line: String) throws(Failure) -> [UInt8] {
        try send(line)
        guard let reply = try readLine() else { throw Failure(description: "healthd closed the connection") }
        return reply
    }
}
