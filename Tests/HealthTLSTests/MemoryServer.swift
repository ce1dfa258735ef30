import COpenSSL
@testable import HealthTLS

/// An OpenSSL server over memory BIOs, the peer the client sessions are tested against.
final class MemoryServer {
    private let ctx: OpaquePointer
    private let ssl: OpaquePointer
    private let inbound: OpaquePointer
    private let outbound: OpaquePointer
    private(set) var plaintext: [UInt8] = []

    init(certificate: [UInt8] = Fixtures.serverPEM, key: [UInt8] = Fixtures.serverKeyPEM,
         requireClientCertificate: Bool = false, maxVersion: Int32 = 0) throws {
        ctx = SSL_CTX_new(TLS_server_method())!
        let cert = try TLSClientContext.certificates(certificate, what: "test")[0]
        SSL_CTX_use_certificate(ctx, cert)
        X509_free(cert)
        let pkey = try TLSClientContext.privateKey(key)
        SSL_CTX_use_PrivateKey(ctx, pkey)
        EVP_PKEY_free(pkey)
        if requireClientCertificate {
            let ca = try TLSClientContext.certificates(Fixtures.caPEM, what: "test")[0]
            X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca)
            X509_free(ca)
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
        if maxVersion != 0 { SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MAX_PROTO_VERSION, Int(maxVersion), nil) }
        ssl = SSL_new(ctx)!
        inbound = BIO_new(BIO_s_mem())!
        outbound = BIO_new(BIO_s_mem())!
        healthd_BIO_set_mem_eof_retry(inbound)
        SSL_set_bio(ssl, inbound, outbound)
        SSL_set_accept_state(ssl)
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(ctx)
    }

    /// Takes the client's bytes, answers with its own.
    func receive(_ bytes: [UInt8]) -> [UInt8] {
        _ = bytes.withUnsafeBytes { BIO_write(inbound, $0.baseAddress, Int32($0.count)) }
        if SSL_is_init_finished(ssl) == 0 { _ = SSL_do_handshake(ssl) }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while SSL_is_init_finished(ssl) != 0 {
            let n = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            guard n > 0 else { break }
            plaintext += chunk[..<Int(n)]
        }
        ERR_clear_error()
        return output()
    }

    func send(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        return output()
    }

    private func output() -> [UInt8] {
        let pending = Int(BIO_ctrl_pending(outbound))
        guard pending > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: pending)
        _ = out.withUnsafeMutableBytes { BIO_read(outbound, $0.baseAddress, Int32(pending)) }
        return out
    }
}

/// Runs a handshake between `client` and `server`, delivering the server's bytes in pieces of
/// `piece` bytes. Returns every `Received` the client produced, or throws the client's error.
@discardableResult
func handshake(_ client: TLSClientSession, _ server: MemoryServer, piece: Int) throws -> [TLSClientSession.Received] {
    var toServer = try client.start()
    var results: [TLSClientSession.Received] = []
    for _ in 0..<100 where !client.isEstablished || !toServer.isEmpty {
        let toClient = server.receive(toServer)
        toServer = []
        if toClient.isEmpty { break }
        var i = 0
        while i < toClient.count {
            let end = min(i + piece, toClient.count)
            let r = try toClient[i..<end].withUnsafeBytes { try client.receive($0) }
            toServer += r.output
            results.append(r)
            i = end
        }
    }
    if !toServer.isEmpty { _ = server.receive(toServer) }
    return results
}
