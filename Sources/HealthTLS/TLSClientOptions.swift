/// How a client verifies its server and proves itself. PEM texts are read from files when the
/// config is loaded, so building a context never touches the disk.
package struct TLSClientOptions: Sendable, Hashable, CustomStringConvertible {
    package enum Trust: Sendable, Hashable {
        /// The system trust store (`/etc/ssl/certs`), loaded once per process.
        case system
        /// CA certificates in PEM.
        case pem([UInt8])
    }

    package var trust: Trust
    /// Check the chain up to a trusted CA (off only for `insecure_skip_verify` and libpq's
    /// `require`/`prefer`/`allow`).
    package var verifyChain: Bool
    /// Check the host name or IP address against the leaf (off for libpq's `verify-ca`).
    package var verifyHost: Bool
    package var certificatePEM: [UInt8]?
    /// Secret: never printed.
    package var keyPEM: [UInt8]?

    package init(trust: Trust = .system, verifyChain: Bool = true, verifyHost: Bool = true,
                certificatePEM: [UInt8]? = nil, keyPEM: [UInt8]? = nil) {
        self.trust = trust
        self.verifyChain = verifyChain
        self.verifyHost = verifyHost
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
    }

    package var description: String {
        let trustText = switch trust {
        case .system: "system"
        case .pem(let bytes): "CA file (\(bytes.count) bytes)"
        }
        return "TLSClientOptions(trust: \(trustText), verifyChain: \(verifyChain), verifyHost: \(verifyHost)"
            + ", client certificate: \(certificatePEM == nil ? "none" : "yes"))"
    }
}
