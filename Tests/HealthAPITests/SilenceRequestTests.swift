import HealthAPI
import HealthCore
import Testing

/// The socket's `silence` op, parsed and checked without a daemon: no start, end or duration a client
/// sends may overflow the silence's arithmetic.
@Suite struct SilenceRequestTests {
    let now = Timestamp(iso8601: "2026-11-22T10:00:00Z")!

    func window(_ fields: [String: Any]) throws(APIRequest.Invalid) -> (start: Timestamp, end: Timestamp) {
        var dict: [String: Any] = ["match": ["db"], "reason": "r"]
        for (k, v) in fields { dict[k] = v }
        return try SilenceRequest(dict).window(now: now)
    }

    func refusal(_ fields: [String: Any]) -> String? {
        do {
            _ = try window(fields)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func aDurationStartsNowOrAtTheStartGiven() throws {
        #expect(try window(["duration": "2h"]).end == now + .hours(2))
        let later = try window(["duration": "1h", "start": "2026-11-23T10:00:00Z"])
        #expect(later.start.iso8601() == "2026-11-23T10:00:00Z" && later.end.iso8601() == "2026-11-23T11:00:00Z")
    }

    @Test(arguments: [
        (["start": "2261-12-31T23:00:00Z", "duration": "366d"], "silence would end after 2200-01-01T00:00:00Z; give an earlier end"),
        (["end": "2261-12-31T23:59:59Z"], "silence would end after 2200-01-01T00:00:00Z; give an earlier end"),
        (["start": "2199-12-31T00:00:00Z", "duration": "2d"], "silence would end after 2200-01-01T00:00:00Z; give an earlier end"),
        (["end": "2026-11-22T09:00:00Z"], "silence ends before it starts or in the past"),
        (["start": "2026-11-22T12:00:00Z", "end": "2026-11-22T11:00:00Z"], "silence ends before it starts or in the past"),
        (["start": "1678-01-01T00:00:00Z", "duration": "1h"], "silence ends before it starts or in the past"),
    ] as [([String: String], String)])
    func refusedWindows(fields: [String: String], message: String) {
        #expect(refusal(fields) == message)
    }

    @Test func theLastAcceptedEnd() throws {
        #expect(try window(["end": "2200-01-01T00:00:00Z"]).end == Silence.latestEnd)
    }
}
