import Testing

@testable import HealthProtocols

struct PGEncodeCase: Sendable, CustomTestStringConvertible {
    var name: String
    var message: PostgresFrontendMessage
    var expected: [UInt8]
    var testDescription: String { name }
}

private let encodeCases: [PGEncodeCase] = [
    PGEncodeCase(name: "SSLRequest", message: .sslRequest, expected: [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F]),
    PGEncodeCase(
        name: "StartupMessage",
        message: .startup(
            .init(parameters: [
                ("user", "postgres"), ("database", "app"), ("application_name", "healthd"), ("client_encoding", "UTF8"),
            ])),
        // length 82 = 4 (length) + 4 (version 3.0) + 73 (pairs) + 1 (terminator)
        expected: [0, 0, 0, 82, 0, 3, 0, 0]
            + Array("user\u{0}postgres\u{0}database\u{0}app\u{0}application_name\u{0}healthd\u{0}".utf8)
            + Array("client_encoding\u{0}UTF8\u{0}\u{0}".utf8)),
    PGEncodeCase(
        name: "PasswordMessage cleartext", message: .password(.init(password: "secret")),
        expected: [0x70, 0, 0, 0, 11] + Array("secret\u{0}".utf8)),
    PGEncodeCase(
        // Computed independently in the shell:
        //   inner=$(printf '%s' 'secretpostgres' | md5sum | cut -d' ' -f1)   # 53f48b7c4b76a86ce72276c5755f217d
        //   { printf '%s' "$inner"; printf '\x01\x02\x03\x04'; } | md5sum     # bb41a296aab6baccb36ff243a562abff
        name: "PasswordMessage MD5 (user postgres, password secret, salt 01 02 03 04)",
        message: .password(.md5(user: "postgres", password: "secret", salt: [1, 2, 3, 4])),
        expected: [0x70, 0, 0, 0, 40] + Array("md5bb41a296aab6baccb36ff243a562abff\u{0}".utf8)),
    PGEncodeCase(
        name: "SASLInitialResponse",
        message: .saslInitialResponse(
            .init(mechanism: "SCRAM-SHA-256", initialResponse: Array("n,,n=,r=rOprNGfwEbeRWgbNEkqO".utf8))),
        expected: [0x70, 0, 0, 0, 50] + Array("SCRAM-SHA-256\u{0}".utf8) + [0, 0, 0, 28]
            + Array("n,,n=,r=rOprNGfwEbeRWgbNEkqO".utf8)),
    PGEncodeCase(
        name: "SASLInitialResponse without data",
        message: .saslInitialResponse(.init(mechanism: "X", initialResponse: nil)),
        expected: [0x70, 0, 0, 0, 10, 0x58, 0, 0xFF, 0xFF, 0xFF, 0xFF]),
    PGEncodeCase(
        name: "SASLResponse", message: .saslResponse(.init(data: Array("abc".utf8))),
        expected: [0x70, 0, 0, 0, 7, 0x61, 0x62, 0x63]),
    PGEncodeCase(
        name: "Query", message: .query(.init("SELECT 1")), expected: [0x51, 0, 0, 0, 13] + Array("SELECT 1\u{0}".utf8)),
    PGEncodeCase(name: "Query empty", message: .query(.init("")), expected: [0x51, 0, 0, 0, 5, 0]),
    PGEncodeCase(name: "Terminate", message: .terminate, expected: [0x58, 0, 0, 0, 4]),
]

@Test("each frontend message encodes", arguments: encodeCases)
func pgEachFrontendMessageEncodes(_ testCase: PGEncodeCase) {
    #expect(testCase.message.encoded() == testCase.expected)
}

@Test("CancelRequest encodes")
func pgCancelRequestEncodes() {
    let message = PostgresFrontendMessage.CancelRequest(processID: 4242, secretKey: [0xDE, 0xAD, 0xBE, 0xEF])
    #expect(
        message.encoded() == [0, 0, 0, 16, 0x04, 0xD2, 0x16, 0x2E, 0, 0, 0x10, 0x92, 0xDE, 0xAD, 0xBE, 0xEF])
}

@Test("frontend messages never describe their secrets")
func pgFrontendDescriptionsRedact() {
    let secret = "Sup3r-S3cret-PW"
    let messages: [PostgresFrontendMessage] = [
        .password(.init(password: secret)), .saslResponse(.init(data: Array("p=\(secret)".utf8))),
    ]
    for message in messages {
        var dumped = ""
        dump(message, to: &dumped)
        for text in [String(describing: message), String(reflecting: message), dumped] {
            #expect(!text.contains(secret), "\(text)")
        }
    }
}
