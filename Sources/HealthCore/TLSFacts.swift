/// What a probe learned about the TLS session it spoke: the snapshot's `"tls"`.
///
/// Boxed, so that it takes 8 bytes where it is kept, and nothing beyond them where it is not: every probe's last sample
/// and state have a place for one, and most probes speak no TLS.
package struct TLSFacts: Sendable, Equatable {
    private final class Storage: Sendable {
        let version: String, cipher: String, subject: String, issuer: String
        let dnsNames: [String]
        let notAfter: Timestamp

        init(version: String, cipher: String, subject: String, issuer: String, dnsNames: [String], notAfter: Timestamp) {
            (self.version, self.cipher, self.subject, self.issuer) = (version, cipher, subject, issuer)
            (self.dnsNames, self.notAfter) = (dnsNames, notAfter)
        }
    }

    private let storage: Storage

    /// `TLSv1.3`, `TLSv1.2`.
    package var version: String { storage.version }
    package var cipher: String { storage.cipher }
    /// The leaf certificate's subject and issuer, as `CN=…, O=…`.
    package var subject: String { storage.subject }
    package var issuer: String { storage.issuer }
    /// The leaf's subjectAltName DNS names and IP addresses.
    package var dnsNames: [String] { storage.dnsNames }
    /// The earliest `notAfter` in the chain the server sent.
    package var notAfter: Timestamp { storage.notAfter }

    package init(version: String, cipher: String, subject: String, issuer: String, dnsNames: [String],
                notAfter: Timestamp) {
        storage = Storage(version: version, cipher: cipher, subject: subject, issuer: issuer, dnsNames: dnsNames,
                          notAfter: notAfter)
    }

    package static func == (a: Self, b: Self) -> Bool {
        a.storage === b.storage || (a.version, a.cipher, a.subject, a.issuer, a.notAfter) == (b.version, b.cipher, b.subject, b.issuer, b.notAfter)
            && a.dnsNames == b.dnsNames
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
