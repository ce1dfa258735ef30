import Foundation
import Testing
@testable import HealthConfig

@Suite struct JSON5ParserTests {
    func value(_ text: String) throws(JSON5Error) -> JSONValue { try JSON5Parser.parse(Array(text.utf8)) }

    /// The error's text as `check-config` shows it after the file name: `line:column: message`.
    func failure(_ bytes: [UInt8]) -> String? {
        do {
            _ = try JSON5Parser.parse(bytes)
            return nil
        } catch {
            return error.description
        }
    }

    func failure(_ text: String) -> String? { failure(Array(text.utf8)) }

    @Test func everyJSON5FeatureOfTheSpec() throws {
        let doc = try value("""
            // line comment
            /* block
               comment */
            {
              unquoted: 'single quotes with "double" inside',
              'quoted key': "double quotes with 'single' inside",
              $dollar_1: 0x1F, neg: -0XfF, plus: +1, lead: .5, trail: 5., exp: 1.5e3, expNeg: 2E-2,
              escapes: '\\b\\f\\n\\r\\t\\v\\0\\'\\"\\\\\\/\\q',
              hex: "\\x41\\u00e9\\uD83D\\uDE00",
              continued: "one \\
            two",
              nested: { list: [1, [2, [],], {},], },
              literals: [true, false, null],
              ünïcödé: 1, \\u0061b: 2,
            }
            """)
        guard case .object(let o) = doc else { Issue.record("not an object"); return }
        #expect(o["unquoted"] == .string(#"single quotes with "double" inside"#))
        #expect(o["quoted key"] == .string("double quotes with 'single' inside"))
        #expect(o["$dollar_1"] == .number(31))
        #expect(o["neg"] == .number(-255))
        #expect(o["plus"] == .number(1))
        #expect(o["lead"] == .number(0.5))
        #expect(o["trail"] == .number(5))
        #expect(o["exp"] == .number(1500))
        #expect(o["expNeg"] == .number(0.02))
        #expect(o["escapes"] == .string("\u{8}\u{C}\n\r\t\u{B}\0'\"\\/q"))
        #expect(o["hex"] == .string("Aé😀"))
        #expect(o["continued"] == .string("one two"))
        #expect(o["nested"] == .object(["list": .array([.number(1), .array([.number(2), .array([])]), .object([:])])]))
        #expect(o["literals"] == .array([.bool(true), .bool(false), .null]))
        #expect(o["ünïcödé"] == .number(1))
        #expect(o["ab"] == .number(2))
    }

    @Test func unusualWhitespaceAndLineEnds() throws {
        // BOM, NBSP, U+2028 and CRLF are whitespace; a CRLF continuation joins lines.
        #expect(try value("\u{FEFF}{\u{A0}a:\r\n1,\u{2028}b: 'x\\\r\ny'}") == .object(["a": .number(1), "b": .string("xy")]))
        #expect(try value("  42  // the answer") == .number(42))
    }

    @Test func errorsSayLineColumnAndField() {
        let text = """
            {
              probes: [
                { name: "a", interval: "10s" },
                { name: "b", interval: "10s" },
                { name: "c", interval: "10s" timeout: "2s" },
              ],
            }
            """
        #expect(failure(text) == #"5:34: expected ',' or '}' after the value of "probes[2].interval", found 't'"#)
        #expect(failure("{ a: [1, 2 3] }") == #"1:12: expected ',' or ']' after "a[1]", found '3'"#)
        #expect(failure("{ a: }") == #"1:6: expected a value for "a", found '}'"#)
        #expect(failure("{ kind: tcp }") == #"1:9: expected a value for "kind", found tcp (text needs quotes: "tcp")"#)
        #expect(failure("{ a 1 }") == #"1:5: expected ':' after the key "a", found '1'"#)
        #expect(failure("{ a: 1 } x") == "1:10: expected the end of the file after the document, found 'x'")
        #expect(failure("") == "1:1: expected a value for the document, found the end of the file")
        #expect(failure("{ a: 'x\ny' }") == #"1:8: line break inside the string for "a" (close it with ', or end the line with \ to continue it)"#)
        #expect(failure("{ a: \"open }") == #"1:6: the string for "a" is not closed with ""#)
        #expect(failure("{ a: 1 /* never closed }") == "1:8: a /* comment is not closed with */")
        #expect(failure("{ interval: 10s }") == #"1:15: unexpected 's' right after the number for "interval""#)
        #expect(failure("{ n: 012 }") == #"1:6: numbers do not start with 0 in JSON5 ("n"); write 0x… for hex"#)
        #expect(failure("{ n: 0x }") == #"1:6: a hex number for "n" needs digits after 0x"#)
        #expect(failure("{ n: 1e }") == #"1:8: the exponent of the number for "n" needs digits, found a space"#)
        #expect(failure("{ 1: 2 }") == #"1:3: expected a key or '}' in the document, found '1'"#)
        #expect(failure("[\u{7}]") == "1:2: expected a value for \"[0]\", found U+0007")
    }

    @Test func nanAndInfinityAreRefusedWithTheirField() {
        #expect(failure("{ slo: { objective: NaN } }") == #"1:21: NaN is not a value a config can use ("slo.objective")"#)
        #expect(failure("{ a: [-Infinity] }") == #"1:7: Infinity is not a value a config can use ("a[0]")"#)
        #expect(failure("{ a: +Infinity }") == #"1:6: Infinity is not a value a config can use ("a")"#)
        #expect(failure("{ a: 1e400 }") == #"1:6: the number for "a" is too large"#)
    }

    @Test func escapesThatAreNotJSON5() {
        #expect(failure(#"{ a: "\uD800" }"#) == #"1:7: \uD800 is half of a surrogate pair; the low half (\uDC00–\uDFFF) must follow"#)
        #expect(failure(#"{ a: "\uD800\u0041" }"#) == #"1:7: \uD800 must be followed by a low surrogate (\uDC00–\uDFFF), not \u0041"#)
        #expect(failure(#"{ a: "\uDC00" }"#) == #"1:7: \uDC00 is the low half of a surrogate pair without its high half"#)
        #expect(failure(#"{ a: "\x4" }"#) == #"1:7: an escape needs 2 hex digits here, found '"'"#)
        #expect(failure(#"{ a: "\01" }"#) == #"1:7: octal escapes like \01 are not JSON5 (use \x or \u)"#)
        #expect(failure(#"{ a: "\7" }"#) == #"1:7: \7 is not a JSON5 escape (use \x or \u)"#)
        #expect(failure(#"{ \u0031: 1 }"#) == #"1:3: \u0031 cannot be part of an unquoted key (quote the key)"#)
    }

    @Test func invalidUTF8IsAnErrorAtItsPlace() {
        // A stray Latin-1 byte in a key on line 2: once a trap inside Foundation's decoder.
        let bytes = Array("{\n  na".utf8) + [0xE9] + Array("me: 1 }".utf8)
        #expect(failure(bytes) == "2:5: invalid UTF-8: byte 0xE9 at byte offset 6 (save the file as UTF-8)")
        #expect(failure([0x22, 0xC0, 0x80, 0x22]) == "1:2: invalid UTF-8: byte 0xC0 at byte offset 1 (save the file as UTF-8)")
        #expect(failure(Array("'\u{7FF}'".utf8) + [0xED, 0xA0, 0x80]) == "1:4: invalid UTF-8: byte 0xED at byte offset 4 (save the file as UTF-8)")
    }

    @Test func duplicateKeysNameThePathAndTheFirstOne() {
        #expect(failure("{ probes: [ { name: 'a',\n  name: 'b' } ] }")
            == #"2:3: "probes[0].name" is set twice in the same object (first at line 1, column 15)"#)
        #expect(failure(#"{ a: 1, "a": 2 }"#) == #"1:9: "a" is set twice in the same object (first at line 1, column 3)"#)
    }

    @Test func nestingIsBounded() throws {
        let deepest = String(repeating: "[", count: JSON5Parser.maxDepth) + String(repeating: "]", count: JSON5Parser.maxDepth)
        #expect(throws: Never.self) { try value(deepest) }
        let tooDeep = String(repeating: "[", count: 100_000)
        #expect(failure(tooDeep) == "1:65: \"\(String(repeating: "[0]", count: 64))\" is nested more than 64 levels deep")
        #expect(failure(String(repeating: "{a:", count: 65) + "1" + String(repeating: "}", count: 65))?.hasSuffix("is nested more than 64 levels deep") == true)
    }

    @Test func sizeIsBounded() {
        let big = [UInt8](repeating: 0x20, count: JSON5Parser.maxBytes) + Array("1".utf8)
        #expect(failure(big) == "1:1: the file has 4194305 bytes; a config may have at most 4 MiB")
    }

    @Test func configErrorsCarryFileLineAndColumn() {
        let bytes = Array("{ probes: [ { n".utf8) + [0xFF] + Array("ame: 'a' } ] }".utf8)
        do {
            _ = try Config.parse(Data(bytes), file: "t.json5")
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.issues.map(\.description)
                == ["not valid JSON5: t.json5:1:16: invalid UTF-8: byte 0xFF at byte offset 15 (save the file as UTF-8)"])
        }
    }

    @Test func filesAreReadWithinBounds() {
        #expect(throws: ConfigError.self) { try Config.load(path: "/dev/zero") }
        do {
            _ = try Config.load(path: "/dev/zero")
        } catch {
            #expect(error.issues.map(\.description) == ["the file is larger than 4 MiB; is it the config?"])
        }
        let issues: [String]
        do {
            _ = try Config.parse(Data(#"{ probes: [ { name: "pg", kind: "postgres", url: "postgres://u@h/d", password_file: "/dev/zero" } ] }"#.utf8))
            issues = []
        } catch {
            issues = error.issues.map(\.description)
        }
        #expect(issues == ["probes[0].password_file: /dev/zero is larger than 64 KiB, too large for a password or token"])
    }
}
