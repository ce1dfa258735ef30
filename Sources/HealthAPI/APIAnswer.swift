import Foundation
import HealthCore

/// One answer line and how it went: the audit log records the outcome it is told, never one
/// guessed from the bytes.
package struct APIAnswer: Sendable {
    package enum Outcome: Sendable, Equatable {
        case ok
        /// The answer is `{"error": message}`.
        case failed(String)
    }

    /// The line, newline included.
    package var line: [UInt8]
    package var outcome: Outcome

    /// A JSON document answered as it is.
    package static func ok(_ json: String) -> APIAnswer { APIAnswer(line: Array((json + "\n").utf8), outcome: .ok) }

    /// `{"ok":true,"KEY":…}`.
    package static func ok(_ key: String, _ body: (inout JSONWriter) -> Void) -> APIAnswer {
        var w = JSONWriter()
        w.beginObject()
        w.field("ok", true)
        w.key(key)
        body(&w)
        w.endObject()
        return ok(w.output)
    }

    /// `{"error": message}`.
    package static func error(_ message: String) -> APIAnswer { APIAnswer(line: errorLine(message), outcome: .failed(message)) }

    /// The error's message, nil when it went well.
    package var failure: String? {
        if case .failed(let message) = outcome { return message }
        return nil
    }
}

/// `{"error": "…"}` as one line.
package func errorLine(_ message: String) -> [UInt8] {
    let data = (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data("{\"error\":\"internal\"}".utf8)
    return Array(data) + [10]
}

/// A JSON string literal.
package func jsonString(_ s: String) -> String {
    var w = JSONWriter()
    w.string(s)
    return w.output
}
