import Testing

@testable import HealthProtocols

// Published test vectors for the hash primitives: RFC 1321 (MD5), FIPS 180-4 / NIST (SHA-256),
// RFC 4231 (HMAC-SHA-256), RFC 7914 and the common PBKDF2-HMAC-SHA256 vectors, RFC 4648 (base 64)
// and RFC 7677's SCRAM-SHA-256 exchange, which ties them all together.

/// `"0b0c"` → `[0x0b, 0x0c]`; whitespace ignored so long vectors can be written as in the RFCs.
private func cryptoBytes(hex: String) -> [UInt8] {
    let digits = hex.utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") }
    precondition(digits.count % 2 == 0, "odd hex length")
    func nibble(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: preconditionFailure("not a hex digit")
        }
    }
    return stride(from: 0, to: digits.count, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
}

private func cryptoUTF8(_ string: String) -> [UInt8] { Array(string.utf8) }

@Suite("Hex")
struct HexTests {
    @Test func lowercaseTwoDigitsPerByte() {
        #expect(hexString([]) == "")
        #expect(hexString([0x00, 0x0f, 0xa0, 0xff, 0x5c]) == "000fa0ff5c")
        #expect(cryptoBytes(hex: hexString(Array(0...255))) == Array(0...255))
    }
}

@Suite("MD5 (RFC 1321)")
struct MD5Tests {
    /// RFC 1321 appendix A.5, the MD5 test suite.
    static let suite: [(message: String, digest: String)] = [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        (
            "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a"
        ),
    ]

    @Test(arguments: suite)
    func rfc1321TestSuite(_ vector: (message: String, digest: String)) {
        #expect(hexString(MD5.hash(vector.message.utf8)) == vector.digest)
        #expect(hexString(MD5.hash(cryptoUTF8(vector.message))) == vector.digest)
    }

    @Test func digestIsSixteenBytesForEveryPaddingCase() {
        // Lengths around the 56-byte padding boundary and block boundaries.
        for length in [55, 56, 57, 63, 64, 65, 119, 120, 128] {
            let digest = MD5.hash(repeatElement(UInt8(ascii: "x"), count: length))
            #expect(digest.count == MD5.digestSize)
            #expect(digest == MD5.hash([UInt8](repeating: UInt8(ascii: "x"), count: length)))
        }
    }
}

@Suite("SHA-256 (FIPS 180-4)")
struct SHA256Tests {
    /// FIPS 180-4 examples published by NIST (SHA256.pdf, "Cryptographic Standards and
    /// Guidelines: Examples with Intermediate Values"), plus the empty message.
    static let vectors: [(name: String, message: [UInt8], digest: String)] = [
        ("empty", [], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc (one block)", cryptoUTF8("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "448-bit message (two blocks)",
            cryptoUTF8("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "one million a",
            [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        ),
    ]

    @Test func nistVectors() {
        for vector in Self.vectors {
            #expect(hexString(SHA256.hash(vector.message)) == vector.digest, "\(vector.name)")
        }
    }

    @Test func oneMillionAFedInUnevenPieces() {
        var hasher = SHA256.Hasher()
        var remaining = 1_000_000
        var piece = 1
        while remaining > 0 {
            let count = min(piece, remaining)
            hasher.update([UInt8](repeating: UInt8(ascii: "a"), count: count))
            remaining -= count
            piece = piece * 3 % 997 + 1
        }
        #expect(hexString(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func streamingMatchesOneShotAtEverySplit() {
        let message = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 200] {
            let whole = Array(message[..<length])
            let expected = SHA256.hash(whole)
            #expect(expected.count == SHA256.digestSize)
            // A non-contiguous sequence takes the byte-at-a-time path.
            #expect(SHA256.hash(whole.lazy.map { $0 }) == expected, "length \(length), lazy")
            for split in 0...length {
                var hasher = SHA256.Hasher()
                hasher.update(whole[..<split])
                hasher.update(whole[split...])
                #expect(hasher.finalize() == expected, "length \(length), split \(split)")
            }
        }
    }

    @Test func acceptsStringUTF8View() {
        #expect(SHA256.hash("abc".utf8) == SHA256.hash(cryptoUTF8("abc")))
        #expect(SHA256.blockSize == 64)
    }
}

@Suite("HMAC-SHA-256 (RFC 4231)")
struct HMACSHA256Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var key: [UInt8]
        var data: [UInt8]
        var mac: String
        var testDescription: String { name }
    }

    /// RFC 4231 §4.2–4.8. Test case 5's output is truncated to 128 bits.
    static let vectors: [Vector] = [
        Vector(
            name: "test case 1", key: [UInt8](repeating: 0x0b, count: 20), data: cryptoUTF8("Hi There"),
            mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Vector(
            name: "test case 2: key shorter than the output", key: cryptoUTF8("Jefe"),
            data: cryptoUTF8("what do ya want for nothing?"),
            mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Vector(
            name: "test case 3: 50 bytes of 0xdd", key: [UInt8](repeating: 0xaa, count: 20),
            data: [UInt8](repeating: 0xdd, count: 50),
            mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Vector(
            name: "test case 4: 25-byte key", key: cryptoBytes(hex: "0102030405060708090a0b0c0d0e0f10111213141516171819"),
            data: [UInt8](repeating: 0xcd, count: 50),
            mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        Vector(
            name: "test case 5: truncated to 128 bits", key: [UInt8](repeating: 0x0c, count: 20),
            data: cryptoUTF8("Test With Truncation"), mac: "a3b6167473100ee06e0c796c2955552b"),
        Vector(
            name: "test case 6: 131-byte key", key: [UInt8](repeating: 0xaa, count: 131),
            data: cryptoUTF8("Test Using Larger Than Block-Size Key - Hash Key First"),
            mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Vector(
            name: "test case 7: 131-byte key and 152-byte data", key: [UInt8](repeating: 0xaa, count: 131),
            data: cryptoUTF8(
                "This is a test using a larger than block-size key and a larger than block-size data. "
                    + "The key needs to be hashed before being used by the HMAC algorithm."),
            mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: vectors)
    func rfc4231(_ vector: Vector) {
        let mac = HMACSHA256.authenticate(vector.data, key: vector.key)
        #expect(mac.count == 32)
        let expected = cryptoBytes(hex: vector.mac)
        #expect(hexString(Array(mac.prefix(expected.count))) == vector.mac)
    }

    @Test func keyOfExactlyOneBlockIsUsedAsIs() {
        // A 64-byte key is not hashed; a 65-byte one is. Check both against the definition.
        for length in [63, 64, 65] {
            let key = (0..<length).map { UInt8(truncatingIfNeeded: $0) }
            let message = cryptoUTF8("block-size key")
            var block = length > 64 ? SHA256.hash(key) : key
            block += [UInt8](repeating: 0, count: 64 - block.count)
            let inner = SHA256.hash(block.map { $0 ^ 0x36 } + message)
            let outer = SHA256.hash(block.map { $0 ^ 0x5c } + inner)
            #expect(HMACSHA256.authenticate(message, key: key) == outer, "key length \(length)")
        }
    }
}

@Suite("PBKDF2-HMAC-SHA-256 (RFC 8018)")
struct PBKDF2Tests {
    @Test func rfc7914Section11FirstVector() {
        let derived = PBKDF2.sha256(password: cryptoUTF8("passwd"), salt: cryptoUTF8("salt"), iterations: 1, length: 64)
        #expect(
            derived == cryptoBytes(hex: """
                55 ac 04 6e 56 e3 08 9f ec 16 91 c2 25 44 b6 05
                f9 41 85 21 6d de 04 65 e6 8b 9d 57 c2 0d ac bc
                49 ca 9c cc f1 79 b6 45 99 16 64 b3 9d 77 ef 31
                7c 71 b8 45 b1 e3 0b d5 09 11 20 41 d3 a1 97 83
                """))
    }

    @Test func rfc7914Section11EightyThousandIterations() {
        let derived = PBKDF2.sha256(
            password: cryptoUTF8("Password"), salt: cryptoUTF8("NaCl"), iterations: 80000, length: 64)
        #expect(
            derived == cryptoBytes(hex: """
                4d dc d8 f6 0b 98 be 21 83 0c ee 5e f2 27 01 f9
                64 1a 44 18 d0 4c 04 14 ae ff 08 87 6b 34 ab 56
                a1 d4 25 a1 22 58 33 54 9a db 84 1b 51 c9 b3 17
                6a 27 2b de bb a1 d0 78 47 8f 62 b3 97 f3 3c 8d
                """))
    }

    /// The widely published PBKDF2-HMAC-SHA256 vectors for P = "password", S = "salt", dkLen = 32.
    @Test(arguments: [
        (1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        (2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        (4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
    ])
    func passwordSalt(iterations: Int, expected: String) {
        let derived = PBKDF2.sha256(password: cryptoUTF8("password"), salt: cryptoUTF8("salt"), iterations: iterations)
        #expect(hexString(derived) == expected)
    }

    @Test func lengthIsAPrefixAcrossBlocks() {
        let full = PBKDF2.sha256(password: cryptoUTF8("passwd"), salt: cryptoUTF8("salt"), iterations: 1, length: 64)
        for length in [0, 1, 20, 32, 33, 63] {
            let derived = PBKDF2.sha256(
                password: cryptoUTF8("passwd"), salt: cryptoUTF8("salt"), iterations: 1, length: length)
            #expect(derived == Array(full.prefix(length)), "length \(length)")
        }
    }

    @Test func matchesTheDefinitionWithHMAC() {
        // U_1 = PRF(P, S || INT(1)), U_j = PRF(P, U_{j-1}), T_1 = U_1 ^ ... ^ U_c, with a
        // password longer than a block so the key is hashed first.
        let password = [UInt8](repeating: 0x70, count: 100)
        let salt = cryptoUTF8("sodium chloride")
        var u = HMACSHA256.authenticate(salt + [0, 0, 0, 1], key: password)
        var t = u
        for _ in 1..<5 {
            u = HMACSHA256.authenticate(u, key: password)
            t = zip(t, u).map { $0 ^ $1 }
        }
        #expect(PBKDF2.sha256(password: password, salt: salt, iterations: 5) == t)
    }
}

@Suite("Base64 (RFC 4648)")
struct Base64Tests {
    /// RFC 4648 §10.
    static let vectors: [(plain: String, encoded: String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: vectors)
    func rfc4648Section10(_ vector: (plain: String, encoded: String)) {
        #expect(Base64.encode(cryptoUTF8(vector.plain)) == vector.encoded)
        #expect(Base64.decode(vector.encoded) == cryptoUTF8(vector.plain))
    }

    @Test func roundTripsEveryByteAndLength() {
        let all = (0...255).map { UInt8($0) }
        for length in 0...all.count {
            let bytes = Array(all[(256 - length)...])
            let encoded = Base64.encode(bytes)
            #expect(encoded.utf8.count == (length + 2) / 3 * 4)
            #expect(Base64.decode(encoded) == bytes)
        }
        #expect(Base64.encode([0xfb, 0xff, 0xbf]) == "+/+/")
    }

    @Test(arguments: [
        "Zg", "Zg=", "Zm9vY", "Z===", "====", "=Zm9", "Zg==Zg==", "Zm=v", "Zm9v====",
        "Zm9v\n", " Zm9v", "Zm9v Zm9v", "Zm9\t", "-_-_", "Zm9v-A==", "Zm\u{e9}", "Zm9v*AAA",
        "Zh==", "Zm9=", "Zm8/Zm9",  // non-zero bits after the last byte (§3.5), and a short tail
    ])
    func rejectsInvalidInput(_ string: String) {
        #expect(Base64.decode(string) == nil)
    }
}

@Suite("SCRAM-SHA-256 (RFC 7677 §3)")
struct SCRAMSHA256VectorTests {
    // C: n,,n=user,r=rOprNGfwEbeRWgbNEkqO
    // S: r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096
    // C: c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=
    // S: v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=
    @Test func exchangeFromTheRFC() throws {
        let clientFirstBare = "n=user,r=rOprNGfwEbeRWgbNEkqO"
        let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        let clientFinalWithoutProof = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
        #expect(Base64.encode(cryptoUTF8("n,,")) == "biws")

        let salt = try #require(Base64.decode("W22ZaJ0SNY7soEsUEjb6gQ=="))
        #expect(salt.count == 16)

        // RFC 5802 §3. The RFC prints only the messages; the intermediate values below were
        // computed independently (Python hashlib/hmac) and pin each step of the chain.
        let saltedPassword = PBKDF2.sha256(password: cryptoUTF8("pencil"), salt: salt, iterations: 4096)
        #expect(hexString(saltedPassword) == "c4a49510323ab4f952cac1fa99441939e78ea74d6be81ddf7096e87513dc615d")

        let clientKey = HMACSHA256.authenticate("Client Key".utf8, key: saltedPassword)
        #expect(hexString(clientKey) == "a60fc923d67e8644a92d16b96eda5ef4656b0c725c484374be25535576996e8b")
        let storedKey = SHA256.hash(clientKey)
        #expect(hexString(storedKey) == "586e5df283e6dceb5c3e791d8b8528ec191e664045ce971792e2e6b5bb13e2a6")

        let authMessage = clientFirstBare + "," + serverFirst + "," + clientFinalWithoutProof
        #expect(
            authMessage
                == "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")

        let clientSignature = HMACSHA256.authenticate(authMessage.utf8, key: storedKey)
        #expect(hexString(clientSignature) == "d27312467c28a40a8a7f05c73c0de33eb3cbfb4a83783b58144cf19ac6be1bdf")
        let clientProof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        #expect(Base64.encode(clientProof) == "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")

        // The server's check: ClientKey = ClientProof XOR ClientSignature, and H(ClientKey) = StoredKey.
        let proofFromWire = try #require(Base64.decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
        #expect(SHA256.hash(zip(proofFromWire, clientSignature).map { $0 ^ $1 }) == storedKey)

        let serverKey = HMACSHA256.authenticate("Server Key".utf8, key: saltedPassword)
        let serverSignature = HMACSHA256.authenticate(authMessage.utf8, key: serverKey)
        #expect(Base64.encode(serverSignature) == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
    }
}
