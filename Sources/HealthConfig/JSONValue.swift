import Foundation

/// A parsed JSON5 document, kept loose so validation can walk it and name every field it dislikes.
enum JSONValue: Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    static func parse(json5 data: Data) throws(JSON5Error) -> JSONValue {
        try JSON5Parser.parse(Array(data))
    }
}
