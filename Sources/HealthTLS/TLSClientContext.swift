import COpenSSL

/// An OpenSSL client context built from `TLSClientOptions`: TLS 1.2 at least, the trust store,
/// an optional client certificate. Built once per distinct options and shared by their sessions.
package final class TLSClientContext {
    let context: OpaquePointer
    package let options: TLSClientOptions

    package init(_ options: TLSClientOptions) throws(TLSError) {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError(.configuration, "cannot create a TLS context: \(TLSClientContext.drainErrors())")
        }
        context = ctx
        self.options = options
        _ = healthd_SSL_CTX_set_min_proto_version(ctx, healthd_TLS1_2_VERSION())
        switch options.trust {
        case .system:
            if let store = SystemTrust.shared.pointer { SSL_CTX_set1_cert_store(ctx, store) }
        case .pem(let pem):
            let certificates = try Self.certificates(pem, what: "the CA file")
            let store = SSL_CTX_get_cert_store(ctx)
            for c in certificates {
                X509_STORE_add_cert(store, c)
                X509_free(c)
            }
        }
        if options.certificatePEM != nil || options.keyPEM != nil {
            guard let certPEM = options.certificatePEM, let keyPEM = options.keyPEM else {
                throw TLSError(.configuration, "a client certificate needs both cert_file and key_file")
            }
            let chain = try Self.certificates(certPEM, what: "the certificate file")
            defer { chain.forEach { X509_free($0) } }
            guard SSL_CTX_use_certificate(ctx, chain[0]) == 1 else {
                throw TLSError(.configuration, "the client certificate cannot be used: \(Self.drainErrors())")
            }
            for extra in chain.dropFirst() {
                X509_up_ref(extra)
                if SSL_CTX_ctrl(ctx, SSL_CTRL_EXTRA_CHAIN_CERT, 0, UnsafeMutableRawPointer(extra)) != 1 { X509_free(extra) }
            }
            let key = try Self.privateKey(keyPEM)
            defer { EVP_PKEY_free(key) }
            guard SSL_CTX_use_PrivateKey(ctx, key) == 1, SSL_CTX_check_private_key(ctx) == 1 else {
                ERR_clear_error()
                throw TLSError(.configuration, "the key file does not match the certificate file")
            }
        }
        SSL_CTX_set_verify(ctx, options.verifyChain ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, TLSClientSession.verifyCallback)
        SSL_CTX_set_client_cert_cb(ctx, TLSClientSession.clientCertificateCallback)
    }

    deinit { SSL_CTX_free(context) }

    /// Every certificate in a PEM text; at least one.
    static func certificates(_ pem: [UInt8], what: String) throws(TLSError) -> [OpaquePointer] {
        var result: [OpaquePointer] = []
        pem.withUnsafeBytes { buf in
            guard let bio = BIO_new_mem_buf(buf.baseAddress, Int32(buf.count)) else { return }
            defer { BIO_free(bio) }
            while let cert = PEM_read_bio_X509(bio, nil, nil, nil) { result.append(cert) }
        }
        ERR_clear_error()  // the loop ends on "no start line"
        guard !result.isEmpty else { throw TLSError(.configuration, "\(what) holds no PEM certificate") }
        return result
    }

    static func privateKey(_ pem: [UInt8]) throws(TLSError) -> OpaquePointer {
        let key: OpaquePointer? = pem.withUnsafeBytes { buf in
            guard let bio = BIO_new_mem_buf(buf.baseAddress, Int32(buf.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        ERR_clear_error()
        // Never quote the key file: it is a secret.
        guard let key else { throw TLSError(.configuration, "the key file holds no unencrypted PEM private key") }
        return key
    }

    /// OpenSSL's queued errors as one line (reason strings only), emptying the queue.
    static func drainErrors() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            if reasons.count < 4, let r = ERR_reason_error_string(code) { reasons.append(String(cString: r)) }
        }
        return reasons.isEmpty ? "unknown error" : reasons.joined(separator: "; ")
    }
}
