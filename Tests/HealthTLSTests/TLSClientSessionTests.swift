import HealthCore
import Testing
@testable import HealthTLS

@Suite struct TLSClientSessionTests {
    static let fixtureCA = TLSClientOptions(trust: .pem(Fixtures.caPEM))

    func session(_ options: TLSClientOptions = fixtureCA, name: String = "localhost") throws -> TLSClientSession {
        try TLSClientSession(context: TLSClientContext(options), serverName: name)
    }

    @Test(arguments: [1, 2, 7, 13, 100, 1500, 65536])
    func handshakeInAnySplitEstablishesAndReportsTheCertificate(piece: Int) throws {
        let client = try session()
        let server = try MemoryServer()
        let results = try handshake(client, server, piece: piece)
        #expect(client.isEstablished)
        #expect(results.filter(\.established).count == 1)
        let facts = try #require(client.facts)
        #expect(facts.version == "TLSv1.3")
        #expect(facts.subject == "CN=localhost")
        #expect(facts.issuer == "CN=healthd fixture CA")
        #expect(facts.dnsNames == ["localhost", "127.0.0.1"])
        #expect(facts.notAfter.iso8601() == "2126-11-04T19:11:50Z")
        #expect(!facts.cipher.isEmpty && facts.cipher != "unknown")
    }

    @Test func applicationDataCrossesInBothDirections() throws {
        let client = try session(name: "127.0.0.1")
        let server = try MemoryServer()
        try handshake(client, server, piece: 5)
        _ = server.receive(try client.seal(Array("PING\r\n".utf8)))
        #expect(server.plaintext == Array("PING\r\n".utf8))
        let reply = server.send("+PONG\r\n")
        var plaintext: [UInt8] = []
        for byte in reply {  // one byte at a time: records reassemble
            plaintext += try [byte].withUnsafeBytes { try client.receive($0) }.plaintext
        }
        #expect(String(decoding: plaintext, as: UTF8.self) == "+PONG\r\n")
    }

    @Test func expiredCertificateSaysWhen() throws {
        let client = try session()
        let server = try MemoryServer(certificate: Fixtures.expiredPEM)
        let error = #expect(throws: TLSError.self) { try handshake(client, server, piece: 9) }
        #expect(error?.kind == .expired)
        #expect(error?.message == "certificate expired on 2021-01-01T00:00:00Z (CN=localhost)")
    }

    @Test func wrongHostNameListsTheNamesTheCertificateHolds() throws {
        let client = try session(name: "db.example.com")
        let error = #expect(throws: TLSError.self) { try handshake(client, try MemoryServer(), piece: 64) }
        #expect(error?.kind == .hostMismatch)
        #expect(error?.message.contains("not for db.example.com: it holds localhost, 127.0.0.1") == true)
    }

    @Test func wrongIPAddressIsAMismatchToo() throws {
        let client = try session(name: "127.0.0.2")
        let error = #expect(throws: TLSError.self) { try handshake(client, try MemoryServer(), piece: 64) }
        #expect(error?.kind == .hostMismatch)
    }

    @Test func untrustedIssuerIsNamed() throws {
        let client = try session(TLSClientOptions(trust: .pem(Fixtures.otherCAPEM)))
        let error = #expect(throws: TLSError.self) { try handshake(client, try MemoryServer(), piece: 64) }
        #expect(error?.kind == .unknownIssuer)
        #expect(error?.message.contains("CN=healthd fixture CA") == true)
    }

    @Test func theSystemStoreDoesNotTrustTheFixtureCA() throws {
        let client = try session(TLSClientOptions())
        let error = #expect(throws: TLSError.self) { try handshake(client, try MemoryServer(), piece: 64) }
        #expect(error?.kind == .unknownIssuer)
    }

    @Test func insecureSkipVerifyStillReportsTheFacts() throws {
        let client = try session(TLSClientOptions(verifyChain: false), name: "wrong.example")
        try handshake(client, try MemoryServer(certificate: Fixtures.expiredPEM), piece: 3)
        #expect(client.isEstablished)
        #expect(client.facts?.notAfter.iso8601() == "2021-01-01T00:00:00Z")
    }

    @Test func verifyCAChecksTheChainButNotTheName() throws {
        let client = try session(TLSClientOptions(trust: .pem(Fixtures.caPEM), verifyHost: false), name: "elsewhere")
        try handshake(client, try MemoryServer(), piece: 64)
        #expect(client.isEstablished)
    }

    @Test func serverThatWantsAClientCertificateIsToldApart() throws {
        let client = try session()
        let server = try MemoryServer(requireClientCertificate: true)
        // TLS 1.3: the client finishes first; the server's alert arrives with the next read.
        var failure: TLSError?
        do {
            try handshake(client, server, piece: 64)
            _ = server.receive(try client.seal(Array("x".utf8)))
        } catch { failure = error as? TLSError }
        #expect(failure?.kind == .clientCertificateRequired)
        #expect(failure?.message.contains("tls.cert_file") == true)
    }

    @Test func aClientCertificateSatisfiesThatServer() throws {
        let options = TLSClientOptions(trust: .pem(Fixtures.caPEM), certificatePEM: Fixtures.clientPEM,
                                       keyPEM: Fixtures.clientKeyPEM)
        let client = try session(options)
        let server = try MemoryServer(requireClientCertificate: true)
        try handshake(client, server, piece: 64)
        _ = server.receive(try client.seal(Array("hello".utf8)))
        #expect(server.plaintext == Array("hello".utf8))
    }

    @Test func aKeyThatDoesNotMatchIsRefusedWithoutQuotingIt() throws {
        let options = TLSClientOptions(certificatePEM: Fixtures.clientPEM, keyPEM: Fixtures.serverKeyPEM)
        let error = #expect(throws: TLSError.self) { try TLSClientContext(options) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("PRIVATE") == false)
    }

    @Test func garbageFromTheServerFailsTheHandshake() throws {
        let client = try session()
        _ = try client.start()
        let junk = Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)
        let error = #expect(throws: TLSError.self) { try junk.withUnsafeBytes { try client.receive($0) } }
        #expect(error?.kind == .handshake)
    }

    @Test func closedMidHandshakeIsAnError() throws {
        let client = try session()
        _ = try client.start()
        #expect(client.peerClosed()?.kind == .closed)
    }

    @Test func tlsBelow1_2IsRefused() throws {
        let client = try session()
        let server = try MemoryServer(maxVersion: 0x0302)  // TLS 1.1
        #expect(throws: TLSError.self) { try handshake(client, server, piece: 64) }
    }

    @Test func channelBindingUsesSHA256ForTheseCertificates() throws {
        let client = try session()
        try handshake(client, try MemoryServer(), piece: 64)
        let cert = try #require(client.serverCertificate)
        #expect(cert.hash == .sha256)
        #expect(cert.der.first == 0x30)  // a DER SEQUENCE
    }
}
