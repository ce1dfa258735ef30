import COpenSSL
import HealthCore
#if canImport(Glibc)
import Glibc
#endif

/// One client TLS session over memory BIOs: ciphertext in, plaintext out, and the reverse. It does
/// no I/O and has no thread: the connection that owns it moves the bytes on its event loop, so a
/// protocol runs over TLS exactly as over TCP. Not thread-safe; confine it to one thread.
///
///   let out = try session.start()                   → send `out`
///   on bytes read: let r = try session.receive(b)  → send `r.output`; `r.plaintext` is the peer's;
///                                                     `r.established` once the handshake is done
///   to send data: try session.seal(plaintext)       → send the result
package final class TLSClientSession {
    /// What one batch of ciphertext produced.
    package struct Received {
        /// Ciphertext to send to the peer (handshake messages, alerts).
        package var output: [UInt8] = []
        package var plaintext: [UInt8] = []
        /// The handshake completed during this call.
        package var established = false
        /// The peer sent close_notify.
        package var closed = false
    }

    /// The first verification error OpenSSL met, with the certificate it met it on.
    struct VerifyFailure {
        var code: Int32
        var depth: Int32
        var certificate: CertificateFacts?
    }

    let ssl: OpaquePointer
    private let inbound: OpaquePointer
    private let outbound: OpaquePointer
    private let context: TLSClientContext
    package let serverName: String
    package private(set) var isEstablished = false
    var verifyFailure: VerifyFailure?
    var clientCertificateRequested = false

    /// `serverName` is sent as SNI (unless it is an IP address) and checked against the leaf when
    /// the context verifies host names.
    package init(context: TLSClientContext, serverName: String) throws(TLSError) {
        guard let ssl = SSL_new(context.context), let rbio = BIO_new(BIO_s_mem()), let wbio = BIO_new(BIO_s_mem()) else {
            throw TLSError(.configuration, "cannot create a TLS session: \(TLSClientContext.drainErrors())")
        }
        healthd_BIO_set_mem_eof_retry(rbio)
        SSL_set_bio(ssl, rbio, wbio)  // the session owns both BIOs now
        SSL_set_connect_state(ssl)
        self.ssl = ssl
        self.inbound = rbio
        self.outbound = wbio
        self.context = context
        self.serverName = serverName
        let isIP = Self.isIPAddress(serverName)
        if !isIP, !serverName.isEmpty { _ = healthd_SSL_set_tlsext_host_name(ssl, serverName) }
        if context.options.verifyChain, context.options.verifyHost {
            if isIP {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName)
            } else {
                SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
                SSL_set1_host(ssl, serverName)
            }
        }
        // The callbacks find the session through the SSL's app data; the SSL dies with the session.
        SSL_set_ex_data(ssl, 0, Unmanaged.passUnretained(self).toOpaque())
        ERR_clear_error()
    }

    deinit { SSL_free(ssl) }

    /// Begins the handshake: the ClientHello to send.
    package func start() throws(TLSError) -> [UInt8] {
        var r = Received()
        try advance(&r)
        return r.output
    }

    /// Ciphertext from the peer, in pieces of any size.
    package func receive(_ ciphertext: UnsafeRawBufferPointer) throws(TLSError) -> Received {
        var r = Received()
        if !ciphertext.isEmpty {
            let n = BIO_write(inbound, ciphertext.baseAddress, Int32(ciphertext.count))
            guard n == ciphertext.count else { throw TLSError(.handshake, "cannot buffer what the server sent") }
        }
        try advance(&r)
        return r
    }

    /// Encrypts application data; the result goes to the peer. Only once established.
    package func seal(_ plaintext: [UInt8]) throws(TLSError) -> [UInt8] {
        precondition(isEstablished, "seal before the handshake completed")
        ERR_clear_error()
        var offset = 0
        while offset < plaintext.count {
            let n = plaintext.withUnsafeBytes { buf in
                SSL_write(ssl, buf.baseAddress! + offset, Int32(min(buf.count - offset, 1 << 20)))
            }
            guard n > 0 else { throw failure(SSL_get_error(ssl, n)) }
            offset += Int(n)
        }
        return takeOutput()
    }

    /// A close_notify to send before closing, best effort.
    package func closeNotify() -> [UInt8] {
        guard isEstablished else { return [] }
        SSL_shutdown(ssl)
        ERR_clear_error()
        return takeOutput()
    }

    /// The server asked for a client certificate and none is configured. Under TLS 1.3 a server
    /// may still complete the handshake and refuse at the application level (nginx answers 400).
    package var askedForMissingCertificate: Bool {
        clientCertificateRequested && context.options.certificatePEM == nil
    }

    /// The peer closed the TCP connection: an error if that cut the handshake short.
    package func peerClosed() -> TLSError? {
        guard !isEstablished else { return nil }
        if askedForMissingCertificate { return Self.clientCertificateMissing }
        return TLSError(.closed, "the server closed the connection during the TLS handshake")
    }

    /// Drives the handshake, then reads whatever plaintext is buffered.
    private func advance(_ r: inout Received) throws(TLSError) {
        ERR_clear_error()
        if !isEstablished {
            let rc = SSL_do_handshake(ssl)
            if rc == 1 {
                isEstablished = true
                r.established = true
            } else {
                let err = SSL_get_error(ssl, rc)
                r.output = takeOutput()
                guard err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE else { throw failure(err) }
                return
            }
        }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if n > 0 {
                r.plaintext.append(contentsOf: chunk[..<Int(n)])
                continue
            }
            let err = SSL_get_error(ssl, n)
            if err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE { break }
            if err == SSL_ERROR_ZERO_RETURN {
                r.closed = true
                break
            }
            r.output = takeOutput()
            throw failure(err)
        }
        r.output = takeOutput()
    }

    private func takeOutput() -> [UInt8] {
        let pending = Int(BIO_ctrl_pending(outbound))
        guard pending > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: pending)
        let n = bytes.withUnsafeMutableBytes { BIO_read(outbound, $0.baseAddress, Int32(pending)) }
        return n > 0 ? Array(bytes[..<Int(n)]) : []
    }

    package static let clientCertificateMissing = TLSError(
        .clientCertificateRequired,
        "the server asked for a client certificate and none is configured (set tls.cert_file and tls.key_file)")

    /// The error of a failed handshake or read, told as what happened.
    private func failure(_ sslError: Int32) -> TLSError {
        let reasons = TLSClientContext.drainErrors()
        if let v = verifyFailure { return Self.describe(v, serverName: serverName) }
        if askedForMissingCertificate { return Self.clientCertificateMissing }
        if reasons.contains("certificate required") || reasons.contains("bad certificate") && clientCertificateRequested {
            return TLSError(.clientCertificateRequired, "the server refused the client certificate (\(reasons))")
        }
        let phase = isEstablished ? "TLS session failed" : "TLS handshake failed"
        return TLSError(.handshake, "\(phase): \(sslError == SSL_ERROR_SYSCALL ? "unexpected end of data" : reasons)")
    }

    static func isIPAddress(_ s: String) -> Bool {
        var buf = in6_addr()
        return inet_pton(AF_INET, s, &buf) == 1 || inet_pton(AF_INET6, s, &buf) == 1
    }
}
