import HealthCore

/// The certificate line of a probe card: its expiry date and whole days left. Days, not the exact countdown, so
/// that a cached card is rendered again once a day rather than every second.
extension StatusPage {
    struct CertExpiry: Equatable, Sendable {
        var notAfter: Timestamp
        /// Rounded down: negative once expired.
        var daysLeft: Int64

        init?(_ tls: TLSFacts?, now: Timestamp) {
            guard let tls else { return nil }
            notAfter = tls.notAfter
            daysLeft = Int64((tls.expiresIn(at: now).seconds / 86400).rounded(.down))
        }
    }

    /// Fewer whole days left than this show as a warning.
    static let certWarningDays = TLSFacts.expiryWarning.nanoseconds / TimeSpan.days(1).nanoseconds

    /// `Certificate: expires in 19 d (2026-12-18)`.
    mutating func certificate(_ cert: CertExpiry) {
        out += "<div><dt>Certificate</dt><dd"
        if cert.daysLeft < 0 {
            out += " class=\"expired\">expired on "
        } else {
            out += cert.daysLeft < Self.certWarningDays ? " class=\"soon\">expires " : ">expires "
            out += cert.daysLeft == 0 ? "in under a day (" : "in \(cert.daysLeft) d ("
        }
        let iso = cert.notAfter.iso8601()
        out += "<time datetime=\""
        out += iso
        out += "\">"
        out += iso.prefix(10)
        out += cert.daysLeft < 0 ? "</time></dd></div>" : "</time>)</dd></div>"
    }
}
