import Testing

@testable import HealthProtocols

// RFC 7677 section 3 example: user "user", password "pencil", client nonce "rOprNGfwEbeRWgbNEkqO".
private let rfcServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
private let serverNonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"

@Test("RFC 7677 example, with the RFC's user name")
func pgSCRAMMatchesRFC7677() throws {
    let client = SCRAMSHA256Client(password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO", userName: "user")
    #expect(client.clientFirstMessage == Array("n,,n=user,r=rOprNGfwEbeRWgbNEkqO".utf8))
    let final = try client.respond(toServerFirst: Array(rfcServerFirst.utf8), maxIterations: 4096)
    #expect(
        String(decoding: final.message, as: UTF8.self)
            == "c=biws,r=\(serverNonce),p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    try SCRAMSHA256Client.verifyServerFinal(
        Array("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=".utf8),
        expectedServerSignature: final.expectedServerSignature)
}

// PostgreSQL sends an empty user name (`n=,`), so the AuthMessage, the proof and the server
// signature differ from the RFC's. Derived with python3 (hashlib.pbkdf2_hmac("sha256", b"pencil",
// b64decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096), then hmac "Client Key" / "Server Key" over
// AuthMessage "n=,r=rOprNGfwEbeRWgbNEkqO," + server-first + ",c=biws,r=" + server nonce); the same
// script with n=user reproduces the RFC's p= and v=:
//   proof            qvT2SWdEH5Q06albL+hjSYuUhCG7VndFyzIb7CK4n9k=
//   server signature 3HO6Qt1M4MKJrmlKaoOqLAI0/0TV0HZe7J9H3MBtSOg=
let pgSCRAMProof = "qvT2SWdEH5Q06albL+hjSYuUhCG7VndFyzIb7CK4n9k="
let pgSCRAMServerSignature = "3HO6Qt1M4MKJrmlKaoOqLAI0/0TV0HZe7J9H3MBtSOg="

@Test("PostgreSQL variant: empty user name")
func pgSCRAMEmptyUser() throws {
    let client = SCRAMSHA256Client(password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
    #expect(client.clientFirstMessage == Array("n,,n=,r=rOprNGfwEbeRWgbNEkqO".utf8))
    let final = try client.respond(toServerFirst: Array(rfcServerFirst.utf8), maxIterations: 4096)
    #expect(String(decoding: final.message, as: UTF8.self) == "c=biws,r=\(serverNonce),p=\(pgSCRAMProof)")
    try SCRAMSHA256Client.verifyServerFinal(
        Array("v=\(pgSCRAMServerSignature)".utf8), expectedServerSignature: final.expectedServerSignature)
}

struct PGServerFirstCase: Sendable, CustomTestStringConvertible {
    var name: String
    var serverFirst: String
    var messageContains: String
    var testDescription: String { name }
}

private let badServerFirst: [PGServerFirstCase] = [
    PGServerFirstCase(
        name: "nonce not starting with ours",
        serverFirst: "r=XOprNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        messageContains: "server nonce does not extend the client nonce"),
    PGServerFirstCase(
        name: "nonce equal to ours", serverFirst: "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        messageContains: "server nonce does not extend the client nonce"),
    PGServerFirstCase(
        name: "iterations zero", serverFirst: "r=\(serverNonce),s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0",
        messageContains: "invalid iteration count \"0\""),
    PGServerFirstCase(
        name: "iterations negative", serverFirst: "r=\(serverNonce),s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1",
        messageContains: "invalid iteration count"),
    PGServerFirstCase(
        name: "iterations huge", serverFirst: "r=\(serverNonce),s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999999999999",
        messageContains: "invalid iteration count"),
    PGServerFirstCase(
        name: "iterations above the limit", serverFirst: "r=\(serverNonce),s=W22ZaJ0SNY7soEsUEjb6gQ==,i=2000000000",
        messageContains: "2000000000 PBKDF2 iterations, more than the limit of 100000"),
    PGServerFirstCase(
        name: "salt not base64", serverFirst: "r=\(serverNonce),s=***,i=4096",
        messageContains: "salt is not valid base64"),
    PGServerFirstCase(name: "salt empty", serverFirst: "r=\(serverNonce),s=,i=4096", messageContains: "salt"),
    PGServerFirstCase(
        name: "attributes out of order", serverFirst: "s=W22ZaJ0SNY7soEsUEjb6gQ==,r=\(serverNonce),i=4096",
        messageContains: "malformed server-first-message"),
    PGServerFirstCase(
        name: "truncated", serverFirst: "r=\(serverNonce)", messageContains: "malformed server-first-message"),
    PGServerFirstCase(
        name: "mandatory extension", serverFirst: "m=ext,r=\(serverNonce),s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        messageContains: "unsupported SCRAM extension"),
    PGServerFirstCase(name: "error", serverFirst: "e=other-error", messageContains: "other-error"),
]

@Test("a bad server-first-message fails authentication", arguments: badServerFirst)
func pgSCRAMBadServerFirst(_ testCase: PGServerFirstCase) {
    let client = SCRAMSHA256Client(password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
    #expect {
        _ = try client.respond(toServerFirst: Array(testCase.serverFirst.utf8), maxIterations: 100_000)
    } throws: { error in
        guard let error = error as? PostgresError else { return false }
        return error.code == .auth && error.message.contains(testCase.messageContains)
    }
}

@Test(
    "a bad server-final-message fails authentication",
    arguments: [
        ("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", "server signature does not match"),
        ("v=3HO6", "server signature does not match"),  // valid base64, 3 bytes
        ("v=3HO", "malformed server-final-message"),
        ("v=", "server signature does not match"),
        ("e=invalid-proof", "server rejected the SCRAM exchange: invalid-proof"),
        ("", "malformed server-final-message"),
    ])
func pgSCRAMBadServerFinal(_ serverFinal: String, _ messageContains: String) throws {
    let client = SCRAMSHA256Client(password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO")
    let final = try client.respond(toServerFirst: Array(rfcServerFirst.utf8), maxIterations: 4096)
    #expect {
        try SCRAMSHA256Client.verifyServerFinal(
            Array(serverFinal.utf8), expectedServerSignature: final.expectedServerSignature)
    } throws: { error in
        guard let error = error as? PostgresError else { return false }
        return error.code == .auth && error.message.contains(messageContains)
    }
}

@Test(
    "SASLprep as PostgreSQL applies it",
    arguments: [
        ("pencil", Array("pencil".utf8)),
        ("tab\there", Array("tab\there".utf8)),  // pure ASCII is used as is, controls included
        ("a\u{00A0}b", Array("a b".utf8)),  // non-ASCII space → space
        ("so\u{00AD}ft", Array("soft".utf8)),  // soft hyphen is mapped to nothing
        ("caf\u{00E9}", Array("caf\u{00E9}".utf8)),
        ("\u{00E9}\u{0007}", Array("\u{00E9}\u{0007}".utf8)),  // prohibited control: the raw password
        ("\u{00E9}\u{E000}\u{00A0}", Array("\u{00E9}\u{E000}\u{00A0}".utf8)),  // private use: the raw password
    ])
func pgSASLprep(_ password: String, _ expected: [UInt8]) {
    #expect(SASLprep.prepare(password) == expected)
}

@Test(
    "nonce validity",
    arguments: [
        ("rOprNGfwEbeRWgbNEkqO", true), ("abc+/=", true), ("", false), ("a,b", false), ("a b", false), ("é", false),
    ])
func pgSCRAMNonceValidity(_ nonce: String, _ valid: Bool) {
    #expect(SCRAMSHA256Client.isValidNonce(nonce) == valid)
}
