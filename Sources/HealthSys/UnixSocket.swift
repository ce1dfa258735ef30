import CHealthSys
#if canImport(Glibc)
import Glibc
#endif

/// Unix stream sockets: the daemon's API listener and the client's connection.
package enum UnixSocket {
    /// Binds and listens at `path` (an old socket file there is replaced), non-blocking, with `mode`.
    package static func listen(path: String, mode: mode_t = 0o660, backlog: Int32 = 512) throws(SystemError) -> Int32 {
        let fd = try syscall("socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        unlink(path)
        do throws(SystemError) {
            try withAddress(path) { addr, len throws(SystemError) in try syscall("bind \(path)") { bind(fd, addr, len) } }
            chmod(path, mode)
            try syscall("listen") { Glibc.listen(fd, backlog) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Connects (blocking) to the socket at `path`; for the command-line client.
    package static func connect(path: String) throws(SystemError) -> Int32 {
        let fd = try syscall("socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        do throws(SystemError) {
            try withAddress(path) { addr, len throws(SystemError) in try syscall("connect \(path)") { Glibc.connect(fd, addr, len) } }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Accepts one pending connection, non-blocking; nil when none is waiting.
    package static func accept(_ listener: Int32) throws(SystemError) -> Int32? {
        while true {
            let fd = chs_accept(listener)
            if fd >= 0 { return fd }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default: throw SystemError("accept")
            }
        }
    }

    package struct PeerCredentials: Sendable { package var pid: pid_t, uid: uid_t, gid: gid_t }

    package static func peerCredentials(_ fd: Int32) -> PeerCredentials? {
        var c = PeerCredentials(pid: 0, uid: 0, gid: 0)
        return chs_peer_credentials(fd, &c.pid, &c.uid, &c.gid) == 0 ? c : nil
    }

    @discardableResult
    /// `abstract`: a path that starts with `@` names Linux's abstract namespace (as systemd's
    /// NOTIFY_SOCKET may); its address has a leading NUL and no terminator.
    static func withAddress<R>(_ path: String, abstract: Bool = false,
                               _ body: (UnsafePointer<sockaddr>, socklen_t) throws(SystemError) -> R) throws(SystemError) -> R {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { throw SystemError("socket path too long", errno: ENAMETOOLONG) }
        let isAbstract = abstract && bytes.first == UInt8(ascii: "@")
        if isAbstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: bytes) }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (isAbstract ? 0 : 1))
        return try withUnsafePointer(to: &addr) { p throws(SystemError) in
            try p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa throws(SystemError) in try body(sa, len) }
        }
    }
}
