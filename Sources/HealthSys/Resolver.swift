import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Host name resolution without blocking the loop: getaddrinfo runs on a Dispatch worker and
/// answers come back on the loop; answers are cached for `ttl` so a probe every second does not
/// query every second.
package final class Resolver {
    package struct Failure: Error, Sendable { package var message: String }

    private let loop: EventLoop
    private let ttlNanos: Int64
    // Loop-confined, as all of it: the lookup's answer comes back through `loop.execute`.
    private var cache: [String: (addresses: [SocketAddress], expires: Int64)] = [:]
    private var waiting: [String: [(Result<[SocketAddress], Failure>) -> Void]] = [:]

    package init(loop: EventLoop, ttlSeconds: Int64 = 30) {
        self.loop = loop
        self.ttlNanos = ttlSeconds * 1_000_000_000
    }

    /// Calls `done` on the loop with the host's addresses (numeric hosts answer at once).
    package func resolve(_ host: String, port: UInt16, _ done: @escaping (Result<[SocketAddress], Failure>) -> Void) {
        loop.assertInLoop("Resolver")
        if let numeric = SocketAddress(numericHost: host, port: port) { return done(.success([numeric])) }
        let key = "\(host):\(port)"
        if let hit = cache[key], hit.expires > monotonicNanos() { return done(.success(hit.addresses)) }
        if waiting[key] != nil { waiting[key]!.append(done); return }
        waiting[key] = [done]
        DispatchQueue.global().async { [loop, ttlNanos, bound = LoopBound(self, loop: loop)] in
            let result = Self.lookup(host, port: port)
            loop.execute {
                let resolver = bound.value
                if case .success(let a) = result { resolver.cache[key] = (a, monotonicNanos() + ttlNanos) }
                for callback in resolver.waiting.removeValue(forKey: key) ?? [] { callback(result) }
            }
        }
    }

    private static func lookup(_ host: String, port: UInt16) -> Result<[SocketAddress], Failure> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0, let list else {
            return .failure(Failure(message: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(list) }
        var out: [SocketAddress] = []
        var p: UnsafeMutablePointer<addrinfo>? = list
        while let ai = p {
            if let sa = ai.pointee.ai_addr, ai.pointee.ai_family == AF_INET || ai.pointee.ai_family == AF_INET6 {
                let a = SocketAddress(sockaddr: sa, port: port)
                if !out.contains(a) { out.append(a) }
            }
            p = ai.pointee.ai_next
        }
        return out.isEmpty ? .failure(Failure(message: "\(host) has no IPv4 or IPv6 address")) : .success(out)
    }
}
