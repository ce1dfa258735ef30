import HealthConfig
import HealthCore

extension StreamConnection {
    /// Connects and, with `tls`, runs the handshake at once; `ready` gets nil when the protocol may
    /// send its first bytes, or why it may not. Every protocol that opens with TLS (HTTPS,
    /// `rediss://`) starts here; PostgreSQL asks for TLS later and calls `startTLS` itself.
    func open(host: String, port: UInt16, tls: TLSSettings?, _ ready: @escaping (ProbeFailure?) -> Void) {
        connect(host: host, port: port) { [weak self] failure in
            guard let self else { return }
            guard failure == nil, let tls else { return ready(failure) }
            do throws(ProbeFailure) { try startTLS(tls, host: host, ready) } catch { ready(error) }
        }
    }
}
