import Foundation
import Testing
@testable import HealthConfig

@Suite struct JSONPathTests {
    @Test func parses() {
        #expect(JSONPath(parsing: "$")?.steps == [])
        #expect(JSONPath(parsing: "$.queue.depth")?.steps == [.key("queue"), .key("depth")])
        #expect(JSONPath(parsing: "$.items[2].name")?.steps == [.key("items"), .index(2), .key("name")])
        #expect(JSONPath(parsing: #"$["odd key"][0]"#)?.steps == [.key("odd key"), .index(0)])
    }

    @Test(arguments: ["", "queue", "$.", "$..a", "$[x]", "$[-1]", "$[1", "$a"])
    func rejects(_ text: String) {
        #expect(JSONPath(parsing: text) == nil)
    }

    @Test func expectConfig() throws {
        let c = try Config.parse(Data("""
            { probes: [ { name: "api", kind: "http", url: "http://h/health",
                          expect: { body_contains: "ok", body_regex: "^\\\\{", max_latency: "300ms",
                                    json: [{ path: "$.status", value: "operational" }, { path: "$.n", op: ">=", value: 2 }] },
                          value_from_json: "$.queue.depth" } ] }
            """.utf8))
        guard case .http(let h) = c.probes[0].target else { Issue.record("kind"); return }
        #expect(h.bodyContains == ["ok"])
        #expect(h.maxLatency == .milliseconds(300))
        #expect(h.json.count == 2)
        #expect(h.json[1].op == .ge)
        #expect(h.valueFromJSON?.steps == [.key("queue"), .key("depth")])
    }

    @Test func expectErrors() {
        do {
            _ = try Config.parse(Data("""
                { probes: [ { name: "api", kind: "http", url: "http://h/", value_from_json: "queue",
                              expect: { body_regex: "(", json: [{ path: "$.s", op: ">", value: "x" }, { path: "s", value: 1 }] } } ] }
                """.utf8))
            Issue.record("accepted")
        } catch {
            let found = error.issues.map(\.description)
            #expect(found.contains(#"probes[0].expect.body_regex: "(" is not a regular expression"#))
            #expect(found.contains("probes[0].expect.json[0].op: text compares with == or != only"))
            #expect(found.contains(#"probes[0].expect.json[1].path: "s" is not a JSON path like $.status"#))
            #expect(found.contains(#"probes[0].value_from_json: "queue" is not a JSON path like $.queue.depth or $.items[0].count"#))
        }
    }
}
