import COpenSSL
import HealthCore

/// OpenSSL's callbacks, and verification failures told as what happened.
extension TLSClientSession {
    static func session(of ssl: OpaquePointer?) -> TLSClientSession? {
        guard let ssl, let raw = SSL_get_ex_data(ssl, 0) else { return nil }
        return Unmanaged<TLSClientSession>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Keeps OpenSSL's verdict, remembering the first failure and the certificate it was about.
    static let verifyCallback: @convention(c) (Int32, OpaquePointer?) -> Int32 = { ok, store in
        guard ok == 0, let store,
              let raw = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()),
              let session = session(of: OpaquePointer(raw)), session.verifyFailure == nil
        else { return ok }
        session.verifyFailure = VerifyFailure(
            code: X509_STORE_CTX_get_error(store), depth: X509_STORE_CTX_get_error_depth(store),
            certificate: X509_STORE_CTX_get_current_cert(store).map(CertificateFacts.init))
        return ok
    }

    /// Called only when the server asks for a certificate and the context has none: say no, and
    /// remember that it asked.
    static let clientCertificateCallback:
        @convention(c) (OpaquePointer?, UnsafeMutablePointer<OpaquePointer?>?, UnsafeMutablePointer<OpaquePointer?>?) -> Int32 = {
            ssl, _, _ in
            session(of: ssl)?.clientCertificateRequested = true
            return 0
        }

    static func describe(_ v: VerifyFailure, serverName: String) -> TLSError {
        let c = v.certificate
        let who = c.map { $0.subject.isEmpty ? "" : " (\($0.subject))" } ?? ""
        switch v.code {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            let when = c?.notAfter.map { " on \($0.iso8601())" } ?? ""
            return TLSError(.expired, "certificate expired\(when)\(who)")
        case X509_V_ERR_CERT_NOT_YET_VALID:
            let when = c?.notBefore.map { " until \($0.iso8601())" } ?? ""
            return TLSError(.notYetValid, "certificate is not valid yet\(when)\(who)")
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
             X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            let issuer = c.map { " \($0.issuer)" } ?? ""
            return TLSError(.unknownIssuer, "certificate\(who) is signed by an unknown issuer\(issuer)"
                + " (trust its CA with tls.ca_file)")
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            let names = c?.names ?? []
            let held = names.isEmpty ? "no subjectAltName" : names.joined(separator: ", ")
            return TLSError(.hostMismatch, "certificate is not for \(serverName): it holds \(held)"
                + " (set tls.server_name if the name differs)")
        default:
            let reason = X509_verify_cert_error_string(Int(v.code)).map { String(cString: $0) } ?? "error \(v.code)"
            return TLSError(.otherVerification, "certificate verification failed: \(reason)\(who)")
        }
    }
}
