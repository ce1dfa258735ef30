/// Why a TLS session failed, in words that say what to do. Never holds key material.
package struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        case expired, notYetValid, unknownIssuer, hostMismatch, otherVerification
        /// The server asked for a client certificate and none is configured (or it refused ours).
        case clientCertificateRequired
        case handshake
        /// The peer closed the connection before the handshake completed.
        case closed
        /// A CA, certificate or key that cannot be used.
        case configuration
    }

    package var kind: Kind
    package var message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { message }
}
