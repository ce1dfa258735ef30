/// Why a TLS session failed, in words that say what to do. Never holds key material.
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case expired, notYetValid, unknownIssuer, hostMismatch, otherVerification
        /// The server asked for a client certificate and none is configured (or it refused ours).
        case clientCertificateRequired
        case handshake
        /// The peer closed the connection before the handshake completed.
        case closed
        /// A CA, certificate or key that cannot be used.
        case configuration
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
