import HealthAPI
import Synchronization

/// Scrubs the config's secrets (passwords, tokens) from text that might echo one: a hook's
/// output, a server's error message. Updated on reload; shared by the log and the audit log.
package final class Redactor: Sendable {
    package static let mask = "[redacted]"
    private let secrets = Mutex<[String]>([])

    package init() {}

    package func update(_ next: [String]) {
        // Also as they appear inside JSON (quotes and backslashes escaped), for the audit log's lines.
        let escaped = next.map { String(jsonString($0).dropFirst().dropLast()) }
        // Longest first, so a secret containing another is masked whole.
        secrets.withLock { $0 = Array(Set(next + escaped)).sorted { $0.count > $1.count } }
    }

    package func scrub(_ text: String) -> String {
        secrets.withLock { list in
            var out = text
            for s in list where out.contains(s) { out = out.replacingOccurrences(of: s, with: Self.mask) }
            return out
        }
    }
}

extension String {
    /// Foundation-free replace, enough for scrubbing.
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
