extension PostgresBackendMessage {
    /// The server's one-byte answer to SSLRequest. It is not framed: no type byte, no length.
    /// (A server may also answer with a framed ErrorResponse; the decoder handles that too.)
    package enum SSLResponse: UInt8, Sendable, Hashable {
        /// `S`: the server is willing to do TLS; the TLS handshake must start now.
        case supported = 0x53
        /// `N`: no TLS; the client may continue in plain text (StartupMessage) or close.
        case notSupported = 0x4E
    }
}
