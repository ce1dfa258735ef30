import Testing

@testable import HealthProtocols

// MARK: - Encoder

struct RESPEncodeCase: Sendable, CustomTestStringConvertible {
    var name: String
    var argv: [String]
    var expected: String
    var testDescription: String { name }
}

private let encodeCases: [RESPEncodeCase] = [
    RESPEncodeCase(name: "LLEN key", argv: ["LLEN", "celery"], expected: "*2\r\n$4\r\nLLEN\r\n$6\r\ncelery\r\n"),
    RESPEncodeCase(name: "PING", argv: ["PING"], expected: "*1\r\n$4\r\nPING\r\n"),
    RESPEncodeCase(
        name: "AUTH user password", argv: ["AUTH", "probe", "pa ss"],
        expected: "*3\r\n$4\r\nAUTH\r\n$5\r\nprobe\r\n$5\r\npa ss\r\n"),
    RESPEncodeCase(name: "empty argument", argv: ["GET", ""], expected: "*2\r\n$3\r\nGET\r\n$0\r\n\r\n"),
    RESPEncodeCase(
        name: "CRLF in an argument stays inside its bulk string", argv: ["GET", "a\r\nFLUSHALL\r\n"],
        expected: "*2\r\n$3\r\nGET\r\n$13\r\na\r\nFLUSHALL\r\n\r\n"),
    RESPEncodeCase(name: "lengths count UTF-8 bytes", argv: ["GET", "ключ"], expected: "*2\r\n$3\r\nGET\r\n$8\r\nключ\r\n"),
    RESPEncodeCase(name: "no arguments at all", argv: [], expected: "*0\r\n"),
    RESPEncodeCase(
        name: "ten arguments", argv: ["EXISTS"] + (1...9).map { "k\($0)" },
        expected: "*10\r\n$6\r\nEXISTS\r\n" + (1...9).map { "$2\r\nk\($0)\r\n" }.joined()),
]

@Suite struct RESPCommandTests {
    @Test(arguments: encodeCases)
    func encodesCommand(_ c: RESPEncodeCase) throws {
        let encoded = RESPCommand.encode(c.argv)
        #expect(encoded == Array(c.expected.utf8))
        // And it reads back as an array of bulk strings.
        var parser = RESPParser()
        var buffer = encoded
        #expect(try parser.next(from: &buffer) == .array(c.argv.map { .bulkString(Array($0.utf8)) }))
        #expect(buffer.isEmpty)
    }

    @Test func encodesBinaryArguments() {
        #expect(RESPCommand.encode([[0x00, 0xFF], []]) == Array("*2\r\n$2\r\n".utf8) + [0x00, 0xFF] + Array("\r\n$0\r\n\r\n".utf8))
    }
}

// MARK: - Allowlist

struct RedisAllowlistCase: Sendable, CustomTestStringConvertible {
    var argv: [String]
    var infoField: String? = nil
    /// nil: accepted; otherwise fragments the message must contain.
    var rejection: [String]?
    var testDescription: String {
        RESPSyntax.escape(Array(argv.joined(separator: " ").utf8)) + (infoField.map { " (field \($0))" } ?? "") + (rejection == nil ? " ok" : " rejected")
    }
}

private let readOnlyList = "DBSIZE, EXISTS, GET, HLEN, INFO, LLEN, PING, PTTL, SCARD, STRLEN, TTL, XLEN, ZCARD"

private let allowlistCases: [RedisAllowlistCase] = [
    RedisAllowlistCase(argv: ["LLEN", "celery"], rejection: nil),
    RedisAllowlistCase(argv: ["llen", "celery"], rejection: nil),
    RedisAllowlistCase(argv: ["EXISTS", "a"], rejection: nil),
    RedisAllowlistCase(argv: ["Exists", "a", "b", "c"], rejection: nil),
    RedisAllowlistCase(argv: ["GET", "counter"], rejection: nil),
    RedisAllowlistCase(argv: ["SCARD", "workers"], rejection: nil),
    RedisAllowlistCase(argv: ["ZCARD", "delayed"], rejection: nil),
    RedisAllowlistCase(argv: ["HLEN", "sessions"], rejection: nil),
    RedisAllowlistCase(argv: ["XLEN", "events"], rejection: nil),
    RedisAllowlistCase(argv: ["STRLEN", "blob"], rejection: nil),
    RedisAllowlistCase(argv: ["TTL", "lock"], rejection: nil),
    RedisAllowlistCase(argv: ["pttl", "lock"], rejection: nil),
    RedisAllowlistCase(argv: ["DBSIZE"], rejection: nil),
    RedisAllowlistCase(argv: ["PING"], rejection: nil),
    RedisAllowlistCase(argv: ["ping"], rejection: nil),
    RedisAllowlistCase(argv: ["INFO"], rejection: nil),
    RedisAllowlistCase(argv: ["INFO", "memory"], rejection: nil),
    RedisAllowlistCase(argv: ["info", "clients"], infoField: "connected_clients", rejection: nil),
    RedisAllowlistCase(argv: ["INFO", "keyspace"], infoField: "db0.keys", rejection: nil),
    // Not read-only, or not a probe's business.
    RedisAllowlistCase(argv: ["SET", "k", "v"], rejection: ["SET", "read-only", readOnlyList]),
    RedisAllowlistCase(argv: ["set", "k", "v"], rejection: ["SET is not allowed"]),
    RedisAllowlistCase(argv: ["DEL", "k"], rejection: ["DEL", "read-only"]),
    RedisAllowlistCase(argv: ["FLUSHALL"], rejection: ["FLUSHALL", "read-only"]),
    RedisAllowlistCase(argv: ["FLUSHDB", "ASYNC"], rejection: ["FLUSHDB", "read-only"]),
    RedisAllowlistCase(argv: ["EVAL", "return 1", "0"], rejection: ["EVAL", "read-only"]),
    RedisAllowlistCase(argv: ["CONFIG", "GET", "*"], rejection: ["CONFIG", "read-only"]),
    RedisAllowlistCase(argv: ["KEYS", "*"], rejection: ["KEYS", "read-only"]),
    RedisAllowlistCase(argv: ["SHUTDOWN"], rejection: ["SHUTDOWN"]),
    RedisAllowlistCase(argv: ["AUTH", "x"], rejection: ["AUTH"]),
    RedisAllowlistCase(argv: ["SELECT", "1"], rejection: ["SELECT"]),
    RedisAllowlistCase(argv: ["GET\r\nFLUSHALL", "k"], rejection: ["GET\\r\\nFLUSHALL", "read-only"]),
    RedisAllowlistCase(argv: [], rejection: ["empty", readOnlyList]),
    // Arity.
    RedisAllowlistCase(argv: ["LLEN"], rejection: ["LLEN", "got 0 arguments", "LLEN key"]),
    RedisAllowlistCase(argv: ["LLEN", "a", "b"], rejection: ["LLEN", "got 2 arguments", "LLEN key"]),
    RedisAllowlistCase(argv: ["GET"], rejection: ["GET key"]),
    RedisAllowlistCase(argv: ["EXISTS"], rejection: ["EXISTS key [key ...]"]),
    RedisAllowlistCase(argv: ["PING", "hello"], rejection: ["PING", "got 1 argument,"]),
    RedisAllowlistCase(argv: ["DBSIZE", "0"], rejection: ["DBSIZE"]),
    RedisAllowlistCase(argv: ["INFO", "server", "clients"], rejection: ["INFO [section]"]),
    // The INFO field.
    RedisAllowlistCase(argv: ["LLEN", "q"], infoField: "connected_clients", rejection: ["only applies to Redis INFO", "LLEN"]),
    RedisAllowlistCase(argv: ["INFO"], infoField: "", rejection: ["INFO field"]),
    RedisAllowlistCase(argv: ["INFO"], infoField: "used memory", rejection: ["INFO field \"used memory\""]),
    RedisAllowlistCase(argv: ["INFO"], infoField: "a:b", rejection: ["INFO field"]),
]

extension RESPCommandTests {
    @Test(arguments: allowlistCases)
    func checksProbeCommandAgainstTheAllowlist(_ c: RedisAllowlistCase) {
        // The one-argument form ignores fields; the two-argument one checks them too.
        let message =
            c.infoField == nil
            ? RedisProbeStateMachine.validateProbeCommand(c.argv)
            : RedisProbeStateMachine.validateProbeCommand(c.argv, infoField: c.infoField)
        guard let fragments = c.rejection else {
            #expect(message == nil)
            return
        }
        guard let message else {
            Issue.record("accepted, expected a rejection")
            return
        }
        for fragment in fragments {
            #expect(message.contains(fragment), "\(message)")
        }
    }

    @Test func infoNeedsAFieldOnlyWhenFieldsAreChecked() {
        #expect(RedisProbeStateMachine.validateProbeCommand(["INFO"]) == nil)
        let message = RedisProbeStateMachine.validateProbeCommand(["INFO"], infoField: nil)
        #expect(message?.contains("INFO needs a field") == true)
        #expect(RedisProbeStateMachine.validateProbeCommand(["LLEN", "q"], infoField: nil) == nil)
    }

    @Test func allowedCommandNamesAreListed() {
        #expect(RedisProbeStateMachine.allowedCommandNames.joined(separator: ", ") == readOnlyList)
    }
}
