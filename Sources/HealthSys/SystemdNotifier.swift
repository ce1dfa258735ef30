#if canImport(Glibc)
import Glibc
#endif

/// The sd_notify protocol, spoken directly: one datagram per message to `$NOTIFY_SOCKET`
/// (a leading `@` names an abstract socket).
package struct SystemdNotifier: Sendable {
    package let path: String?

    package init(environment: [String: String]) {
        path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    package var enabled: Bool { path != nil }

    /// Sends `READY=1`, `STATUS=…` and the like; failures are ignored, as systemd's own client does.
    package func notify(_ message: String) {
        guard let path else { return }
        // Non-blocking: a notify socket whose queue is full must never stall the daemon.
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let payload = Array(message.utf8)
        _ = try? UnixSocket.withAddress(path, abstract: true) { sa, len in
            payload.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sa, len) }
        }
    }
}
