#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address with a port, ready for connect(2).
package struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    enum Storage: Hashable { case v4(in_addr_t), v6([UInt8]) }
    let storage: Storage
    package let port: UInt16

    /// Parses a numeric host (`127.0.0.1`, `::1`); nil for names, which need the resolver.
    package init?(numericHost host: String, port: UInt16) {
        self.port = port
        var a4 = in_addr()
        if inet_pton(AF_INET, host, &a4) == 1 { storage = .v4(a4.s_addr); return }
        var a6 = in6_addr()
        if inet_pton(AF_INET6, host, &a6) == 1 {
            storage = .v6(withUnsafeBytes(of: &a6) { Array($0) })
            return
        }
        return nil
    }

    init(sockaddr sa: UnsafePointer<sockaddr>, port: UInt16) {
        self.port = port
        if Int32(sa.pointee.sa_family) == AF_INET6 {
            let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                withUnsafeBytes(of: p.pointee.sin6_addr) { Array($0) }
            }
            storage = .v6(bytes)
        } else {
            storage = .v4(sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr })
        }
    }

    package var family: Int32 { if case .v4 = storage { AF_INET } else { AF_INET6 } }

    package var description: String {
        switch storage {
        case .v4(let a):
            var addr = in_addr(s_addr: a)
            var buf = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            inet_ntop(AF_INET, &addr, &buf, socklen_t(buf.count))
            return "\(cString(buf)):\(port)"
        case .v6(let bytes):
            var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            bytes.withUnsafeBytes { _ = inet_ntop(AF_INET6, $0.baseAddress, &buf, socklen_t(buf.count)) }
            return "[\(cString(buf))]:\(port)"
        }
    }

    /// Calls `body` with this address as a `sockaddr`.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        switch storage {
        case .v4(let a):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            sin.sin_addr.s_addr = a
            return withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .v6(let bytes):
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: bytes) }
            return withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }
}

/// A NUL-terminated C buffer as a String.
func cString(_ buf: [CChar]) -> String {
    String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
