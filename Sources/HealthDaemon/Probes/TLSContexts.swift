import HealthConfig
import HealthCore
import HealthSys
import HealthTLS

/// OpenSSL contexts by settings, built on first use and shared by every probe and hook with the
/// same settings: a context holds the parsed trust store, so building one per attempt would cost
/// more than the handshake. Loop-confined.
final class TLSContexts {
    /// Settings change only with the config; a bound keeps reload after reload from piling them up.
    static let limit = 256
    private let loop: EventLoop
    private var contexts: [TLSSettings: Result<TLSClientContext, TLSError>] = [:]

    init(loop: EventLoop) { self.loop = loop }

    /// A new client session for `host` (or the configured server name).
    func session(_ settings: TLSSettings, host: String) -> Result<TLSClientSession, ProbeFailure> {
        loop.assertInLoop("TLSContexts")
        let context: Result<TLSClientContext, TLSError>
        if let known = contexts[settings] {
            context = known
        } else {
            if contexts.count >= Self.limit { contexts.removeAll() }
            context = Result { () throws(TLSError) in try TLSClientContext(Self.options(settings)) }
            contexts[settings] = context
        }
        return context.flatMap { ctx in
            Result { () throws(TLSError) in try TLSClientSession(context: ctx, serverName: settings.serverName ?? host) }
        }.mapError { ProbeFailure(.tls, $0.message) }
    }

    static func options(_ s: TLSSettings) -> TLSClientOptions {
        TLSClientOptions(trust: s.caPEM.map(TLSClientOptions.Trust.pem) ?? .system, verifyChain: s.verifyChain,
                         verifyHost: s.verifyHost, certificatePEM: s.certificatePEM, keyPEM: s.keyPEM)
    }
}
