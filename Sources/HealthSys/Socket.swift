#if canImport(Glibc)
import Glibc
#endif

/// Non-blocking socket calls. Each returns what the caller needs to decide the next step
/// and never waits: waiting is the event loop's job.
package enum Socket {
    package enum ConnectStart { case connected, inProgress }

    /// Opens a non-blocking TCP socket and starts connecting.
    package static func startConnect(to address: SocketAddress) throws(SystemError) -> (fd: Int32, ConnectStart) {
        let fd = try syscall("socket") { socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = address.withSockaddr { connect(fd, $0, $1) }
        if rc == 0 { return (fd, .connected) }
        let err = errno
        if err == EINPROGRESS || err == EINTR { return (fd, .inProgress) }
        close(fd)
        throw SystemError("connect", errno: err)
    }

    /// The outcome of a non-blocking connect once the socket is writable: 0 or an errno.
    package static func pendingError(_ fd: Int32) -> Int32 {
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 { return errno }
        return err
    }

    package enum IOResult: Equatable { case bytes(Int), wouldBlock, eof }

    /// Reads what is there without waiting.
    package static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> IOResult {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .eof }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SystemError("read")
            }
        }
    }

    /// Writes what fits without waiting. Uses send(MSG_NOSIGNAL) on sockets so a closed peer is an error, not SIGPIPE.
    package static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SystemError) -> IOResult {
        while true {
            let n = send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .bytes(n) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: throw SystemError("send")
            }
        }
    }

    package static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }
}
