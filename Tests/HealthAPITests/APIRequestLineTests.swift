import HealthAPI
import HealthCore
import Testing

/// The line codec: what the client writes, the server reads back as the same request.
@Suite struct APIRequestLineTests {
    func decoded(_ line: String) throws(APIRequest.Invalid) -> APIRequest { try APIRequest(line: ArraySlice(line.utf8)) }

    @Test func everyRequestReadsBackAsItself() throws {
        let t = Timestamp(iso8601: "2026-11-22T12:00:00Z")!
        let requests: [APIRequest] = [
            .snapshot, .subscribe, .probe("api"), .alerts, .silences, .audit(limit: 7), .run(probe: "db"), .unsilence(id: "s-1"), .reload,
            .history(HistoryQuery(probe: "api")),
            .history(HistoryQuery(probe: "api", range: .hours(6), step: .minutes(5), series: .errorRate)),
            .silence(SilenceRequest(matchers: ["redis*", "db"], duration: .hours(2), reason: "upgrade")),
            .silence(SilenceRequest(matchers: ["db"], start: t + .hours(-1), end: t, reason: "x")),
            .silence(SilenceRequest(matchers: ["db"], end: t + TimeSpan(nanoseconds: 250_000_000), reason: "x")),
        ]
        for r in requests { #expect(try decoded(r.line) == r, "\(r.line)") }
        // The list the server names in its errors is every op, once.
        #expect(Set(requests.map(\.op)) == Set(APIOp.allCases))
    }

    @Test func adminOpsAreTheOnesThatAct() {
        #expect(APIOp.allCases.filter(\.isAdmin) == [.run, .silence, .unsilence, .reload])
    }

    @Test func errorsNameEveryOp() {
        #expect(throws: APIRequest.Invalid(message: "unknown op \"nope\" (ops: \(APIOp.names))")) { try decoded(#"{"op":"nope"}"#) }
        #expect(APIOp.names.hasPrefix("snapshot, subscribe, probe"))
    }

    @Test func historyIsCheckedWhenRead() {
        #expect(throws: APIRequest.Invalid.self) { try decoded(#"{"op":"history","probe":"a","range":"7d","step":"1m"}"#) }
    }

    @Test func answersCarryTheirOutcome() {
        let failed = APIAnswer.error("no probe named \"x\"")
        #expect(failed.failure == "no probe named \"x\"")
        #expect(String(decoding: failed.line, as: UTF8.self) == #"{"error":"no probe named \"x\""}"# + "\n")
        let ok = APIAnswer.ok("silence") { $0.string("s") }
        #expect(ok.failure == nil)
        #expect(String(decoding: ok.line, as: UTF8.self) == #"{"ok":true,"silence":"s"}"# + "\n")
    }
}
