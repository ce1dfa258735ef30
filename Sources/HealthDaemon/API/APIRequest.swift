import Foundation

/// One line from a client, parsed. Unknown ops and malformed JSON become errors the client can read.
enum APIRequest: Equatable {
    case snapshot
    case subscribe

    struct Invalid: Error, Equatable { var message: String }

    static let ops = ["snapshot", "subscribe"]

    init(line: ArraySlice<UInt8>) throws(Invalid) {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line))
        } catch {
            throw Invalid(message: "request is not valid JSON; send one object per line, e.g. {\"op\":\"snapshot\"}")
        }
        guard let dict = object as? [String: Any] else { throw Invalid(message: "request must be a JSON object with an \"op\"") }
        guard let op = dict["op"] as? String else { throw Invalid(message: "request has no \"op\" string (ops: \(Self.ops.joined(separator: ", ")))") }
        switch op {
        case "snapshot": self = .snapshot
        case "subscribe": self = .subscribe
        default: throw Invalid(message: "unknown op \"\(op)\" (ops: \(Self.ops.joined(separator: ", ")))")
        }
    }
}

/// `{"error": "…"}` as one line.
func errorLine(_ message: String) -> [UInt8] {
    let data = (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data("{\"error\":\"internal\"}".utf8)
    return Array(data) + [10]
}
