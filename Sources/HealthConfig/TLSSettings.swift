/// A probe's or hook's `tls: { ca_file, cert_file, key_file, server_name, insecure_skip_verify }`,
/// with the files already read (at load, so no connection reads the disk). Its description never
/// shows the key.
package struct TLSSettings: Sendable, Hashable, CustomStringConvertible {
    /// The CA certificates to trust instead of the system store.
    package var caPEM: [UInt8]?
    package var certificatePEM: [UInt8]?
    package var keyPEM: [UInt8]?
    /// The name sent as SNI and checked against the certificate, instead of the URL's host.
    package var serverName: String?
    /// Check the chain up to a trusted CA.
    package var verifyChain = true
    /// Check the host name (libpq's verify-ca does not).
    package var verifyHost = true

    package init(caPEM: [UInt8]? = nil, certificatePEM: [UInt8]? = nil, keyPEM: [UInt8]? = nil,
                serverName: String? = nil, verifyChain: Bool = true, verifyHost: Bool = true) {
        self.caPEM = caPEM
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
        self.serverName = serverName
        self.verifyChain = verifyChain
        self.verifyHost = verifyHost
    }

    package var description: String {
        "TLSSettings(ca: \(caPEM == nil ? "system" : "file"), client certificate: \(certificatePEM == nil ? "none" : "yes")"
            + ", server_name: \(serverName ?? "-"), verify chain: \(verifyChain), verify host: \(verifyHost))"
    }
}
