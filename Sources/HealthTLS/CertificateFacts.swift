import COpenSSL
import HealthCore

/// What a certificate says about itself, cut to sizes a hostile server cannot inflate.
struct CertificateFacts {
    static let maxNames = 32
    static let maxText = 512

    var subject: String
    var issuer: String
    var names: [String]
    var notBefore: Timestamp?
    var notAfter: Timestamp?

    init(_ cert: OpaquePointer) {
        subject = Self.nameText(X509_get_subject_name(cert))
        issuer = Self.nameText(X509_get_issuer_name(cert))
        notBefore = Self.time(X509_get0_notBefore(cert))
        notAfter = Self.time(X509_get0_notAfter(cert))
        var names: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        var i: Int32 = 0
        while names.count < Self.maxNames {
            let count = buffer.withUnsafeMutableBufferPointer { healthd_subject_alt_name(cert, i, $0.baseAddress, $0.count) }
            guard count >= 0 else { break }
            let name = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !name.isEmpty { names.append(name) }
            i += 1
        }
        self.names = names
    }

    static func nameText(_ name: OpaquePointer?) -> String {
        guard let name else { return "" }
        var buffer = [CChar](repeating: 0, count: maxText)
        buffer.withUnsafeMutableBufferPointer { healthd_name_text(name, $0.baseAddress, $0.count) }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func time(_ t: UnsafePointer<ASN1_TIME>?) -> Timestamp? {
        let seconds = healthd_asn1_time_epoch(t)
        // Beyond ±292 years of 1970 nanoseconds overflow; no real certificate is there.
        guard seconds != Int64.min, abs(seconds) < 9_000_000_000 else { return nil }
        return Timestamp(nanoseconds: seconds * 1_000_000_000)
    }
}
