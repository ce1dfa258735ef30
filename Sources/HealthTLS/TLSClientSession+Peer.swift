import COpenSSL
import HealthCore

/// What the established session tells about its server: the snapshot's facts and the
/// certificate SCRAM's channel binding hashes.
extension TLSClientSession {
    /// The hash `tls-server-end-point` (RFC 5929) uses: the certificate's signature hash, with
    /// MD5 and SHA-1 raised to SHA-256.
    package enum EndPointHash: Sendable, Equatable {
        case sha256, sha384, sha512
        case unsupported(String)
    }

    package struct ServerCertificate: Sendable {
        package var der: [UInt8]
        package var hash: EndPointHash
    }

    /// Version, cipher, the leaf's names, the earliest expiry in the chain the server sent.
    package var facts: TLSFacts? {
        guard isEstablished, let leaf = SSL_get0_peer_certificate(ssl) else { return nil }
        let leafFacts = CertificateFacts(leaf)
        var earliest = leafFacts.notAfter
        if let chain = SSL_get_peer_cert_chain(ssl) {
            for i in 0..<healthd_sk_X509_num(chain) {
                guard let c = healthd_sk_X509_value(chain, i), let t = CertificateFacts.time(X509_get0_notAfter(c)) else { continue }
                earliest = earliest.map { min($0, t) } ?? t
            }
        }
        let version = SSL_get_version(ssl).map { String(cString: $0) } ?? "unknown"
        let cipher = SSL_get_current_cipher(ssl).flatMap { SSL_CIPHER_get_name($0) }.map { String(cString: $0) } ?? "unknown"
        return TLSFacts(version: version, cipher: cipher, subject: leafFacts.subject, issuer: leafFacts.issuer,
                        dnsNames: leafFacts.names, notAfter: earliest ?? Timestamp(nanoseconds: 0))
    }

    package var serverCertificate: ServerCertificate? {
        guard isEstablished, let leaf = SSL_get0_peer_certificate(ssl) else { return nil }
        let length = i2d_X509(leaf, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buf in
            var p: UnsafeMutablePointer<UInt8>? = buf.baseAddress
            _ = i2d_X509(leaf, &p)
        }
        let hash: EndPointHash = switch healthd_signature_digest_nid(leaf) {
        case NID_md5, NID_sha1, NID_sha256: .sha256
        case NID_sha384: .sha384
        case NID_sha512: .sha512
        case let nid: .unsupported(OBJ_nid2sn(nid).map { String(cString: $0) } ?? "unknown")
        }
        return ServerCertificate(der: der, hash: hash)
    }
}
