import Testing

@testable import HealthProtocols

// MARK: - Helpers

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

private func bulk(_ s: String) -> RESPValue { .bulkString(Array(s.utf8)) }

/// Feeds `chunks` one after another, taking every complete value after each. The values, or the
/// first error; also fails (as `nil`) if bytes or a partial value are left over at the end.
private func parseChunks(
    _ chunks: [ArraySlice<UInt8>], limits: RESPParser.Limits = .init(), attributes: RESPParser.AttributeHandling = .skip
) -> Result<[RESPValue], RESPError>? {
    var parser = RESPParser(limits: limits, attributes: attributes)
    var buffer: [UInt8] = []
    var values: [RESPValue] = []
    do throws(RESPError) {
        for chunk in chunks {
            buffer += chunk
            while let value = try parser.next(from: &buffer) { values.append(value) }
        }
    } catch {
        return .failure(error)
    }
    return buffer.isEmpty && !parser.hasPartialValue ? .success(values) : nil
}

/// The input whole, split in two at every offset, and byte by byte.
private func splits(_ input: [UInt8]) -> [[ArraySlice<UInt8>]] {
    var result: [[ArraySlice<UInt8>]] = [[input[...]]]
    for cut in 0...input.count { result.append([input[0..<cut], input[cut...]]) }
    result.append(input.indices.map { input[$0...$0] })
    return result
}

private func nested(_ depth: Int, _ leaf: String = ":1\r\n") -> String {
    String(repeating: "*1\r\n", count: depth) + leaf
}

private func nestedValue(_ depth: Int) -> RESPValue {
    (0..<depth).reduce(RESPValue.integer(1)) { inner, _ in .array([inner]) }
}

// MARK: - Well-formed input

struct RESPGoodCase: Sendable, CustomTestStringConvertible {
    var name: String
    var input: String
    var values: [RESPValue]
    var attributes: RESPParser.AttributeHandling = .skip
    var limits: RESPParser.Limits = .init()
    var testDescription: String { name }
}

private let goodCases: [RESPGoodCase] = [
    // RESP2
    RESPGoodCase(name: "simple string", input: "+OK\r\n", values: [.simpleString("OK")]),
    RESPGoodCase(name: "empty simple string", input: "+\r\n", values: [.simpleString("")]),
    RESPGoodCase(
        name: "simple string with UTF-8", input: "+héllo wörld\r\n", values: [.simpleString("héllo wörld")]),
    RESPGoodCase(
        name: "error", input: "-ERR unknown command 'FOO', with args beginning with: \r\n",
        values: [.error("ERR unknown command 'FOO', with args beginning with: ")]),
    RESPGoodCase(name: "integer zero", input: ":0\r\n", values: [.integer(0)]),
    RESPGoodCase(name: "negative integer", input: ":-42\r\n", values: [.integer(-42)]),
    RESPGoodCase(name: "explicit plus sign", input: ":+7\r\n", values: [.integer(7)]),
    RESPGoodCase(name: "Int64.max", input: ":9223372036854775807\r\n", values: [.integer(.max)]),
    RESPGoodCase(name: "Int64.min", input: ":-9223372036854775808\r\n", values: [.integer(.min)]),
    RESPGoodCase(name: "bulk string", input: "$5\r\nhello\r\n", values: [bulk("hello")]),
    RESPGoodCase(name: "empty bulk string", input: "$0\r\n\r\n", values: [bulk("")]),
    RESPGoodCase(name: "null bulk string", input: "$-1\r\n", values: [.bulkString(nil)]),
    RESPGoodCase(
        name: "binary-safe bulk string with CRLF and NUL", input: "$6\r\na\r\n\0b\r\r\n",
        values: [.bulkString([0x61, 0x0D, 0x0A, 0x00, 0x62, 0x0D])]),
    RESPGoodCase(
        name: "array of bulk strings", input: "*2\r\n$4\r\nLLEN\r\n$6\r\ncelery\r\n",
        values: [.array([bulk("LLEN"), bulk("celery")])]),
    RESPGoodCase(name: "empty array", input: "*0\r\n", values: [.array([])]),
    RESPGoodCase(name: "null array", input: "*-1\r\n", values: [.array(nil)]),
    RESPGoodCase(
        name: "array with a null element", input: "*3\r\n$3\r\nfoo\r\n$-1\r\n$3\r\nbar\r\n",
        values: [.array([bulk("foo"), .bulkString(nil), bulk("bar")])]),
    RESPGoodCase(
        name: "nested arrays of mixed types", input: "*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n",
        values: [.array([.array([.integer(1), .integer(2), .integer(3)]), .array([.simpleString("Hello"), .error("World")])])]),
    RESPGoodCase(
        name: "empty arrays nested", input: "*2\r\n*0\r\n*1\r\n*0\r\n",
        values: [.array([.array([]), .array([.array([])])])]),
    RESPGoodCase(
        name: "several values in one read", input: "+OK\r\n:1\r\n$-1\r\n*0\r\n",
        values: [.simpleString("OK"), .integer(1), .bulkString(nil), .array([])]),
    RESPGoodCase(name: "nesting at the depth limit", input: nested(32), values: [nestedValue(32)]),
    RESPGoodCase(
        name: "bulk string at the length limit", input: "$4\r\nabcd\r\n", values: [bulk("abcd")],
        limits: .init(maxBulkLength: 4)),
    RESPGoodCase(
        name: "line at the length limit", input: "+12345678\r\n", values: [.simpleString("12345678")],
        limits: .init(maxLineLength: 8)),
    RESPGoodCase(
        name: "aggregate at the count limit", input: "*2\r\n:1\r\n:2\r\n", values: [.array([.integer(1), .integer(2)])],
        limits: .init(maxAggregateCount: 2)),

    // RESP3
    RESPGoodCase(name: "null", input: "_\r\n", values: [.null]),
    RESPGoodCase(name: "booleans", input: "#t\r\n#f\r\n", values: [.boolean(true), .boolean(false)]),
    RESPGoodCase(name: "double", input: ",3.14\r\n", values: [.double(3.14)]),
    RESPGoodCase(name: "integral double", input: ",10\r\n", values: [.double(10)]),
    RESPGoodCase(name: "double with exponent", input: ",-1.5e-3\r\n", values: [.double(-0.0015)]),
    RESPGoodCase(name: "double with E+", input: ",2E+2\r\n", values: [.double(200)]),
    RESPGoodCase(
        name: "infinities and NaN", input: ",inf\r\n,-inf\r\n,nan\r\n",
        values: [.double(.infinity), .double(-.infinity), .double(.nan)]),
    RESPGoodCase(
        name: "big number", input: "(3492890328409238509324850943850943825024385\r\n",
        values: [.bigNumber("3492890328409238509324850943850943825024385")]),
    RESPGoodCase(name: "negative big number", input: "(-12345678901234567890\r\n", values: [.bigNumber("-12345678901234567890")]),
    RESPGoodCase(
        name: "bulk error", input: "!21\r\nSYNTAX invalid syntax\r\n", values: [.bulkError("SYNTAX invalid syntax")]),
    RESPGoodCase(
        name: "verbatim string without its txt: prefix", input: "=15\r\ntxt:Some string\r\n",
        values: [.verbatimString(bytes("Some string"), format: "txt")]),
    RESPGoodCase(
        name: "empty markdown verbatim string", input: "=4\r\nmkd:\r\n", values: [.verbatimString([], format: "mkd")]),
    RESPGoodCase(
        name: "map", input: "%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
        values: [.map([(.simpleString("first"), .integer(1)), (.simpleString("second"), .integer(2))])]),
    RESPGoodCase(name: "empty map", input: "%0\r\n", values: [.map([])]),
    RESPGoodCase(
        name: "HELLO-style map with nested aggregates",
        input: "%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n$7\r\nmodules\r\n*0\r\n",
        values: [.map([(bulk("server"), bulk("redis")), (bulk("proto"), .integer(3)), (bulk("modules"), .array([]))])]),
    RESPGoodCase(
        name: "set", input: "~3\r\n+orange\r\n+apple\r\n#t\r\n",
        values: [.set([.simpleString("orange"), .simpleString("apple"), .boolean(true)])]),
    RESPGoodCase(
        name: "push", input: ">3\r\n$7\r\nmessage\r\n$7\r\nchannel\r\n$5\r\nhello\r\n",
        values: [.push([bulk("message"), bulk("channel"), bulk("hello")])]),
    RESPGoodCase(
        name: "top-level attribute skipped",
        input: "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
        values: [.array([.integer(2039123), .integer(9543892)])]),
    RESPGoodCase(
        name: "top-level attribute attached",
        input: "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n",
        values: [
            .attributed(
                [(.simpleString("key-popularity"), .map([(bulk("a"), .double(0.1923)), (bulk("b"), .double(0.0012))]))],
                .array([.integer(2039123), .integer(9543892)]))
        ],
        attributes: .attach),
    RESPGoodCase(
        name: "attribute inside an array is not an element (skipped)", input: "*3\r\n:1\r\n:2\r\n|1\r\n+ttl\r\n:3600\r\n:3\r\n",
        values: [.array([.integer(1), .integer(2), .integer(3)])]),
    RESPGoodCase(
        name: "attribute inside an array is not an element (attached)",
        input: "*3\r\n:1\r\n:2\r\n|1\r\n+ttl\r\n:3600\r\n:3\r\n",
        values: [.array([.integer(1), .integer(2), .attributed([(.simpleString("ttl"), .integer(3600))], .integer(3))])],
        attributes: .attach),
    RESPGoodCase(
        name: "empty attribute skipped before a scalar", input: "|0\r\n+OK\r\n", values: [.simpleString("OK")]),
    RESPGoodCase(
        name: "push then reply", input: ">2\r\n+invalidate\r\n*1\r\n$3\r\nfoo\r\n:5\r\n",
        values: [.push([.simpleString("invalidate"), .array([bulk("foo")])]), .integer(5)]),
]

@Suite struct RESPParserTests {
    @Test(arguments: goodCases)
    func parsesWellFormedInputAtEverySplit(_ c: RESPGoodCase) {
        let input = bytes(c.input)
        for chunks in splits(input) {
            let result = parseChunks(chunks, limits: c.limits, attributes: c.attributes)
            guard case .success(let values)? = result else {
                Issue.record("split \(chunks.map(\.count)): \(String(describing: result))")
                return
            }
            #expect(values == c.values, "split \(chunks.map(\.count))")
        }
    }

    @Test func returnsNilAndLeavesTheBufferUntilAValueIsComplete() throws {
        let input = bytes("*2\r\n$5\r\nhello\r\n:42\r\n+next")
        var parser = RESPParser()
        var buffer: [UInt8] = []
        for (i, byte) in input.enumerated() {
            buffer.append(byte)
            let value = try parser.next(from: &buffer)
            if i == 19 {  // the last byte of the array
                #expect(value == .array([bulk("hello"), .integer(42)]))
                #expect(buffer.isEmpty)
                #expect(!parser.hasPartialValue)
            } else {
                #expect(value == nil)
                #expect(buffer == Array(input[(i < 19 ? 0 : 20)...i]), "nothing is consumed before a value completes")
            }
        }
        // A partial line is still in the buffer: at EOF, leftover bytes mean a truncated reply.
        #expect(buffer == bytes("+next"))
    }

    @Test func aLongValueTricklingInIsParsedCompletely() throws {
        // 20 000 elements, one byte per read: linear, since progress is remembered between reads.
        let count = 20_000
        let input = bytes("*\(count)\r\n" + String(repeating: ":7\r\n", count: count))
        var parser = RESPParser()
        var buffer: [UInt8] = []
        var result: RESPValue?
        for byte in input {
            buffer.append(byte)
            if let value = try parser.next(from: &buffer) { result = value }
        }
        #expect(result == .array(Array(repeating: .integer(7), count: count)))
        #expect(buffer.isEmpty)
    }

    @Test func aReplacedBufferRestartsTheParse() throws {
        var parser = RESPParser()
        var buffer = bytes("*2\r\n:1\r\n")
        #expect(try parser.next(from: &buffer) == nil)
        var other = bytes("+OK\r\n")
        #expect(try parser.next(from: &other) == .simpleString("OK"))
    }

    @Test func staysFailedUntilReset() throws {
        var parser = RESPParser()
        var buffer = bytes("?bad\r\n")
        #expect(throws: RESPError.self) { try parser.next(from: &buffer) }
        var good = bytes("+OK\r\n")
        #expect(throws: RESPError.self) { try parser.next(from: &good) }
        #expect(good == bytes("+OK\r\n"), "an error consumes nothing")
        parser.reset()
        #expect(try parser.next(from: &good) == .simpleString("OK"))
    }

    @Test func descriptionsAreCompact() {
        #expect(RESPValue.simpleString("OK").description == "+OK")
        #expect(RESPValue.array([bulk("a\r\n"), .integer(1), .null]).description == "[\"a\\r\\n\", 1, nil]")
        #expect(RESPValue.map([(bulk("k"), .double(0.5))]).description == "{\"k\": 0.5}")
        #expect(RESPValue.verbatimString(bytes("x"), format: "txt").description == "txt:\"x\"")
        let long = RESPValue.array(Array(repeating: .integer(123_456), count: 10_000)).description
        #expect(long.utf8.count < 300 && long.hasSuffix("…]"))
    }

    @Test func accessors() {
        #expect(RESPValue.bulkError("ERR x").errorMessage == "ERR x")
        #expect(RESPValue.error("ERR y").errorMessage == "ERR y")
        #expect(RESPValue.verbatimString(bytes("abc"), format: "txt").string == "abc")
        #expect(RESPValue.attributed([], .bulkString(nil)).isNull)
        #expect(RESPValue.attributed([], .integer(1)).withoutAttributes == .integer(1))
        #expect(RESPValue.double(.nan) == .double(.nan))
        #expect(RESPValue.bulkString(nil) != .null)
    }
}

// MARK: - Malformed input

struct RESPBadCase: Sendable, CustomTestStringConvertible {
    var name: String
    var input: String
    var code: RESPError.Code
    var limits: RESPParser.Limits = .init()
    var testDescription: String { name }
}

private let badCases: [RESPBadCase] = [
    RESPBadCase(name: "unknown type byte", input: "?garbage\r\n", code: .invalidType),
    RESPBadCase(name: "an HTTP server", input: "HTTP/1.1 400 Bad Request\r\n\r\n", code: .invalidType),
    RESPBadCase(name: "an SMTP greeting", input: "220 mail.example.com ESMTP\r\n", code: .invalidType),
    RESPBadCase(name: "NUL byte", input: "\0", code: .invalidType),
    RESPBadCase(name: "inline text", input: "PONG\r\n", code: .invalidType),
    RESPBadCase(name: "garbage after a good value", input: "+OK\r\n\r\n", code: .invalidType),
    RESPBadCase(name: "garbage inside an array", input: "*2\r\n:1\r\nxyz\r\n", code: .invalidType),
    RESPBadCase(name: "negative bulk length", input: "$-2\r\n", code: .invalidLength),
    RESPBadCase(name: "negative array count", input: "*-5\r\n", code: .invalidLength),
    RESPBadCase(name: "minus zero", input: "$-0\r\n", code: .invalidLength),
    RESPBadCase(name: "non-numeric length", input: "$abc\r\n", code: .invalidLength),
    RESPBadCase(name: "empty length", input: "$\r\n", code: .invalidLength),
    RESPBadCase(name: "length with a plus sign", input: "$+3\r\nabc\r\n", code: .invalidLength),
    RESPBadCase(name: "length with spaces", input: "$ 3\r\nabc\r\n", code: .invalidLength),
    RESPBadCase(name: "null map is not RESP", input: "%-1\r\n", code: .invalidLength),
    RESPBadCase(name: "null set is not RESP", input: "~-1\r\n", code: .invalidLength),
    RESPBadCase(name: "null verbatim string is not RESP", input: "=-1\r\n", code: .invalidLength),
    RESPBadCase(name: "null bulk error is not RESP", input: "!-1\r\n", code: .invalidLength),
    RESPBadCase(name: "bulk string over 1 MiB", input: "$1048577\r\n", code: .bulkTooLarge),
    RESPBadCase(name: "bulk string of 512 MiB", input: "$536870912\r\n", code: .bulkTooLarge),
    RESPBadCase(name: "absurd bulk length", input: "$99999999999999999999999999999\r\n", code: .bulkTooLarge),
    RESPBadCase(name: "bulk error over the limit", input: "!1048577\r\n", code: .bulkTooLarge),
    RESPBadCase(name: "verbatim string over the limit", input: "=5\r\ntxt:a\r\n", code: .bulkTooLarge, limits: .init(maxBulkLength: 4)),
    RESPBadCase(name: "array over 1M elements", input: "*1000001\r\n", code: .aggregateTooLarge),
    RESPBadCase(name: "map over 1M pairs", input: "%1000001\r\n", code: .aggregateTooLarge),
    RESPBadCase(name: "absurd array count", input: "*99999999999999999999999999999\r\n", code: .aggregateTooLarge),
    RESPBadCase(name: "33 nested arrays", input: nested(33), code: .tooDeep),
    RESPBadCase(name: "33 nested empty arrays", input: nested(32, "*0\r\n"), code: .tooDeep),
    RESPBadCase(name: "attributes count toward depth", input: nested(32, "|1\r\n+a\r\n+b\r\n+c\r\n"), code: .tooDeep),
    RESPBadCase(name: "integer with junk", input: ":12a\r\n", code: .invalidValue),
    RESPBadCase(name: "empty integer", input: ":\r\n", code: .invalidValue),
    RESPBadCase(name: "integer overflow", input: ":9223372036854775808\r\n", code: .invalidValue),
    RESPBadCase(name: "integer underflow", input: ":-9223372036854775809\r\n", code: .invalidValue),
    RESPBadCase(name: "double that is not a number", input: ",abc\r\n", code: .invalidValue),
    RESPBadCase(name: "empty double", input: ",\r\n", code: .invalidValue),
    RESPBadCase(name: "hex double", input: ",0x1p3\r\n", code: .invalidValue),
    RESPBadCase(name: "boolean other than t/f", input: "#x\r\n", code: .invalidValue),
    RESPBadCase(name: "boolean spelled out", input: "#true\r\n", code: .invalidValue),
    RESPBadCase(name: "null with content", input: "_x\r\n", code: .invalidValue),
    RESPBadCase(name: "fractional big number", input: "(12.5\r\n", code: .invalidValue),
    RESPBadCase(name: "verbatim string shorter than its prefix", input: "=3\r\ntxt\r\n", code: .invalidValue),
    RESPBadCase(name: "verbatim string without a colon", input: "=5\r\nabcde\r\n", code: .invalidValue),
    RESPBadCase(name: "bulk payload longer than declared", input: "$3\r\nhello\r\n", code: .missingCRLF),
    RESPBadCase(name: "bulk payload without CRLF", input: "$2\r\nhi+OK\r\n", code: .missingCRLF),
    RESPBadCase(name: "CR inside a line", input: "+OK\rX\r\n", code: .malformedLine),
    RESPBadCase(name: "bare LF line ending", input: "+OK\n", code: .malformedLine),
    RESPBadCase(name: "bare LF in a length", input: "$5\nhello\r\n", code: .malformedLine),
    RESPBadCase(name: "line over the limit", input: "+123456789\r\n", code: .lineTooLong, limits: .init(maxLineLength: 8)),
    RESPBadCase(
        name: "line over the limit, never terminated", input: "-" + String(repeating: "x", count: 100), code: .lineTooLong,
        limits: .init(maxLineLength: 64)),
    RESPBadCase(
        name: "endless length digits", input: "*" + String(repeating: "9", count: 40), code: .lineTooLong,
        limits: .init(maxLineLength: 16)),
]

extension RESPParserTests {
    @Test(arguments: badCases)
    func rejectsMalformedInputAtEverySplit(_ c: RESPBadCase) {
        let input = bytes(c.input)
        var first: RESPError?
        for chunks in splits(input) {
            let result = parseChunks(chunks, limits: c.limits)
            guard case .failure(let error)? = result else {
                Issue.record("split \(chunks.map(\.count)): expected \(c.code), got \(String(describing: result))")
                return
            }
            #expect(error.code == c.code, "split \(chunks.map(\.count)): \(error)")
            if let first { #expect(error == first, "the error does not depend on the split") } else { first = error }
        }
    }

    @Test func errorMessagesSayWhatWasSeen() throws {
        func error(_ s: String) -> String {
            var parser = RESPParser()
            var buffer = bytes(s)
            do throws(RESPError) { _ = try parser.next(from: &buffer) } catch { return error.description }
            return "no error"
        }
        #expect(error("HTTP/1.1 200 OK\r\n").contains("'H'"))
        #expect(error("HTTP/1.1 200 OK\r\n").contains("not a Redis server"))
        #expect(error("\u{7}x").contains("'\\x07'"))
        #expect(error("$-7\r\n").contains("negative length \"-7\""))
        #expect(error("$2000000\r\n").contains("2000000 bytes exceeds the limit of 1048576"))
        #expect(error("$3\r\nhello\r\n").contains("followed by \"lo\""))
    }

    /// Random mutations of valid frames, parsed whole and byte by byte: the same outcome, no trap.
    @Test func mutatedInputGivesTheSameOutcomeHoweverSplit() {
        var rng = RESPSplitMix64(seed: 0x5EED_CAFE)
        let seeds = goodCases.map { bytes($0.input) }
        let alphabet = bytes("+-:$*_#,(!=%~>|\r\n0123456789-1tfinax")
        for round in 0..<3000 {
            var input = seeds[Int(rng.next() % UInt64(seeds.count))]
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let position = Int(rng.next() % UInt64(input.count + 1))
                switch rng.next() % 3 {
                case 0 where position < input.count: input[position] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1 where position < input.count: input.remove(at: position)
                default: input.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: position)
                }
            }
            let limits = RESPParser.Limits(maxBulkLength: 64, maxAggregateCount: 64, maxDepth: 4, maxLineLength: 64)
            let whole = outcome(parseChunks([input[...]], limits: limits))
            let trickled = outcome(parseChunks(input.indices.map { input[$0...$0] }, limits: limits))
            #expect(whole == trickled, "round \(round): \(RESPSyntax.escape(input, limit: 200))")
        }
    }

    private func outcome(_ r: Result<[RESPValue], RESPError>?) -> String {
        switch r {
        case .success(let values)?: "values \(values)"
        case .failure(let error)?: "error \(error)"
        case nil: "incomplete"
        }
    }
}

private struct RESPSplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
