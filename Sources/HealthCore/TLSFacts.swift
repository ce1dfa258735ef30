/// What a probe learned about the TLS session it spoke: the snapshot's `"tls"`.
package struct TLSFacts: Sendable, Equatable {
    /// `TLSv1.3`, `TLSv1.2`.
    package var version: String
    package var cipher: String
    /// The leaf certificate's subject and issuer, as `CN=…, O=…`.
    package var subject: String
    package var issuer: String
    /// The leaf's subjectAltName DNS names and IP addresses.
    package var dnsNames: [String]
    /// The earliest `notAfter` in the chain the server sent.
    package var notAfter: Timestamp

    package init(version: String, cipher: String, subject: String, issuer: String, dnsNames: [String],
                notAfter: Timestamp) {
        self.version = version
        self.cipher = cipher
        self.subject = subject
        self.issuer = issuer
        self.dnsNames = dnsNames
        self.notAfter = notAfter
    }

    /// Time left until the earliest expiry, negative once expired.
    package func expiresIn(at now: Timestamp) -> TimeSpan { notAfter - now }

    /// Certificates that expire sooner than this are shown as a warning (status page, healthctl).
    package static let expiryWarning = TimeSpan.days(14)
}

/// Where one attempt's time went, in milliseconds from its start: the snapshot's `"timings_ms"`.
/// A phase the attempt did not reach (or does not have) is nil.
package struct AttemptTimings: Sendable, Equatable {
    package var connect: Double?
    package var tls: Double?
    package var firstByte: Double?
    package var total: Double

    package init(connect: Double? = nil, tls: Double? = nil, firstByte: Double? = nil, total: Double) {
        self.connect = connect
        self.tls = tls
        self.firstByte = firstByte
        self.total = total
    }
}
