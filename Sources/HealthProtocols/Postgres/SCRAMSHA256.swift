import Synchronization

// SCRAM-SHA-256 client (RFC 5802, RFC 7677) as PostgreSQL uses it:
// https://www.postgresql.org/docs/current/sasl-authentication.html
//
// - The user name in client-first-message is empty (`n=`): the server uses the StartupMessage's.
// - Channel binding (RFC 5929 `tls-server-end-point`) over TLS when the server offers
//   SCRAM-SHA-256-PLUS: gs2 header `p=tls-server-end-point,,` and `c=` carrying the hash of the
//   server's certificate. Over TLS without PLUS on offer the header is `y,,` (so a server that did
//   offer it and had the offer stripped notices); without TLS `n,,`.
// - The password goes through SASLprep as PostgreSQL does (see `SASLprep`).

struct SCRAMSHA256Client: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    static let mechanism = "SCRAM-SHA-256"
    static let mechanismPlus = "SCRAM-SHA-256-PLUS"

    enum Binding: Sendable, Equatable {
        /// No TLS: `n`.
        case none
        /// TLS, but the server offered no PLUS: `y`.
        case notOffered
        /// `p=tls-server-end-point` with the certificate hash.
        case serverEndPoint([UInt8])
    }

    private let password: [UInt8]
    let binding: Binding
    let clientNonce: String
    /// Empty for PostgreSQL, which takes the user from the StartupMessage; tests set it to replay RFC 7677.
    private let userName: String

    /// The `clientNonce` must be printable ASCII without a comma (RFC 5802 `printable`); check it with
    /// `isValidNonce` first.
    init(password: String, clientNonce: String, userName: String = "", binding: Binding = .none) {
        self.password = SASLprep.prepare(password)
        self.binding = binding
        self.clientNonce = clientNonce
        self.userName = userName
    }

    static func isValidNonce(_ nonce: String) -> Bool {
        !nonce.isEmpty && nonce.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ",") }
    }

    var clientFirstMessageBare: String {
        let escaped = userName.replacing("=", with: "=3D").replacing(",", with: "=2C")
        return "n=\(escaped),r=\(clientNonce)"
    }

    var mechanism: String {
        if case .serverEndPoint = binding { return Self.mechanismPlus }
        return Self.mechanism
    }

    var gs2Header: String {
        switch binding {
        case .none: "n,,"
        case .notOffered: "y,,"
        case .serverEndPoint: "p=tls-server-end-point,,"
        }
    }

    /// `c=`'s bytes: the gs2 header, then the channel binding data if any.
    var channelBindingInput: [UInt8] {
        if case .serverEndPoint(let hash) = binding { return Array(gs2Header.utf8) + hash }
        return Array(gs2Header.utf8)
    }

    /// The SASLInitialResponse data.
    var clientFirstMessage: [UInt8] { Array((gs2Header + clientFirstMessageBare).utf8) }

    struct ClientFinal: Sendable {
        /// The SASLResponse data: `c=biws,r=<nonce>,p=<proof>`.
        var message: [UInt8]
        /// What the server must send back in `v=`.
        var expectedServerSignature: [UInt8]
    }

    /// Checks server-first-message (`r=<client nonce + server nonce>,s=<base64 salt>,i=<iterations>`)
    /// and computes client-final-message. Errors are `.auth` and never contain key material.
    func respond(toServerFirst data: [UInt8], maxIterations: Int) throws(PostgresError) -> ClientFinal {
        guard let serverFirst = String(validating: data, as: UTF8.self) else {
            throw Self.failure("server-first-message is not valid UTF-8")
        }
        let attributes = serverFirst.split(separator: ",", omittingEmptySubsequences: false)
        if let first = attributes.first, first.hasPrefix("m=") {
            throw Self.failure("server requires an unsupported SCRAM extension")
        }
        if let first = attributes.first, first.hasPrefix("e=") {
            throw Self.failure("server reported a SCRAM error: \(first.dropFirst(2).prefix(200))")
        }
        guard attributes.count >= 3, attributes[0].hasPrefix("r="), attributes[1].hasPrefix("s="),
            attributes[2].hasPrefix("i=")
        else {
            throw Self.failure("malformed server-first-message (expected r=…,s=…,i=…)")
        }
        let nonce = String(attributes[0].dropFirst(2))
        guard nonce.hasPrefix(clientNonce), nonce.utf8.count > clientNonce.utf8.count, Self.isValidNonce(nonce) else {
            throw Self.failure("server nonce does not extend the client nonce")
        }
        guard let salt = Base64.decode(String(attributes[1].dropFirst(2))), !salt.isEmpty else {
            throw Self.failure("server salt is not valid base64")
        }
        let iterationText = attributes[2].dropFirst(2)
        guard !iterationText.isEmpty, iterationText.utf8.count <= 10,
            iterationText.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let iterations = Int(iterationText), iterations >= 1
        else {
            throw Self.failure("invalid iteration count \"\(iterationText.prefix(16))\"")
        }
        guard iterations <= maxIterations else {
            throw Self.failure(
                "server asks for \(iterations) PBKDF2 iterations, more than the limit of \(maxIterations)")
        }

        let clientFinalWithoutProof = "c=" + Base64.encode(channelBindingInput) + ",r=" + nonce
        let authMessage = Array((clientFirstMessageBare + "," + serverFirst + "," + clientFinalWithoutProof).utf8)

        let saltedPassword = SaltedPasswords.value(password: password, salt: salt, iterations: iterations)
        let clientKey = HMACSHA256.authenticate(Array("Client Key".utf8), key: saltedPassword)
        let storedKey = SHA256.hash(clientKey)
        let clientSignature = HMACSHA256.authenticate(authMessage, key: storedKey)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = HMACSHA256.authenticate(Array("Server Key".utf8), key: saltedPassword)
        let serverSignature = HMACSHA256.authenticate(authMessage, key: serverKey)

        return ClientFinal(
            message: Array((clientFinalWithoutProof + ",p=" + Base64.encode(proof)).utf8),
            expectedServerSignature: serverSignature)
    }

    /// Checks server-final-message: `v=<base64 server signature>` (verified), or `e=<error>`.
    static func verifyServerFinal(_ data: [UInt8], expectedServerSignature: [UInt8]) throws(PostgresError) {
        let text = String(decoding: data, as: UTF8.self)
        let first = text.split(separator: ",", omittingEmptySubsequences: false).first ?? ""
        if first.hasPrefix("e=") {
            throw failure("server rejected the SCRAM exchange: \(first.dropFirst(2).prefix(200))")
        }
        guard first.hasPrefix("v="), let signature = Base64.decode(String(first.dropFirst(2))) else {
            throw failure("malformed server-final-message (expected v=…)")
        }
        guard signature.count == expectedServerSignature.count,
            zip(signature, expectedServerSignature).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0
        else {
            throw failure("server signature does not match: the server did not prove it knows the password")
        }
    }

    private static func failure(_ message: String) -> PostgresError {
        PostgresError(.auth, "SCRAM-SHA-256: " + message)
    }

    var description: String { "SCRAMSHA256Client(nonce: \(clientNonce))" }
    var debugDescription: String { description }
    var customMirror: Mirror { Mirror(self, children: ["clientNonce": clientNonce]) }
}

/// SASLprep (RFC 4013) of a password, the way PostgreSQL's `pg_saslprep` uses it:
/// - pure ASCII: used as is;
/// - otherwise: non-ASCII spaces become U+0020 and "commonly mapped to nothing" characters are
///   dropped; if the result holds a prohibited character (controls, private use, non-characters…),
///   the original password is used instead.
///
/// Not done, for lack of Unicode tables in the standard library: NFKC normalization, the bidi and
/// unassigned-code-point checks. A password that NFKC would change (compatibility characters such
/// as ligatures or full-width forms) fails with `28P01`.
enum SASLprep {
    static func prepare(_ password: String) -> [UInt8] {
        let raw = Array(password.utf8)
        if raw.allSatisfy({ $0 < 0x80 }) { return raw }
        var mapped = String.UnicodeScalarView()
        for scalar in password.unicodeScalars {
            if isNonASCIISpace(scalar.value) {
                mapped.append(" ")
            } else if !isMappedToNothing(scalar.value) {
                mapped.append(scalar)
            }
        }
        if mapped.contains(where: { isProhibited($0.value) }) { return raw }
        return Array(String(mapped).utf8)
    }

    /// RFC 3454 table C.1.2.
    static func isNonASCIISpace(_ v: UInt32) -> Bool {
        v == 0x00A0 || v == 0x1680 || (0x2000...0x200B).contains(v) || v == 0x202F || v == 0x205F || v == 0x3000
    }

    /// RFC 3454 table B.1.
    static func isMappedToNothing(_ v: UInt32) -> Bool {
        switch v {
        case 0x00AD, 0x034F, 0x1806, 0x180B, 0x180C, 0x180D, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF: true
        case 0xFE00...0xFE0F: true
        default: false
        }
    }

    /// RFC 4013 section 2.3: tables C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9.
    static func isProhibited(_ v: UInt32) -> Bool {
        if isNonASCIISpace(v) { return true }
        switch v {
        case 0x0000...0x001F, 0x007F: return true  // C.2.1
        case 0x0080...0x009F, 0x06DD, 0x070F, 0x180E, 0x200C, 0x200D, 0x2028, 0x2029, 0x2060...0x2063,
            0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFC, 0x1D173...0x1D17A:
            return true  // C.2.2
        case 0xE000...0xF8FF, 0xF0000...0xFFFFD, 0x100000...0x10FFFD: return true  // C.3
        case 0xFDD0...0xFDEF: return true  // C.4
        case 0xD800...0xDFFF: return true  // C.5
        case 0xFFF9...0xFFFD: return true  // C.6
        case 0x2FF0...0x2FFB: return true  // C.7
        case 0x0340, 0x0341, 0x200E, 0x200F, 0x202A...0x202E: return true  // C.8
        case 0xE0001, 0xE0020...0xE007F: return true  // C.9
        default: return v & 0xFFFE == 0xFFFE  // C.4: U+xxFFFE and U+xxFFFF
        }
    }
}

/// SaltedPassword depends only on the password, the role's salt and the iteration count, all fixed
/// for a role: remembering it turns a 4096-round PBKDF2 per login (milliseconds on the probe's
/// thread) into a lookup, as RFC 5802 §5.1 allows. Bounded; the values are as secret as the
/// password the process already holds.
enum SaltedPasswords {
    private struct Key: Hashable { var password: [UInt8], salt: [UInt8], iterations: Int }
    private static let cache = Mutex<[Key: [UInt8]]>([:])
    private static let capacity = 64

    static func value(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = Key(password: password, salt: salt, iterations: iterations)
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let salted = PBKDF2.sha256(password: password, salt: salt, iterations: iterations)
        cache.withLock { c in
            if c.count >= capacity { c.removeAll() }
            c[key] = salted
        }
        return salted
    }
}
