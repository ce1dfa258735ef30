import HealthCore
import HealthSys
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One line per event on stderr. Under systemd (`JOURNAL_STREAM` set) each line starts with its
/// syslog priority (`<3>` error, `<4>` warning, `<6>` info) and the journal adds the time;
/// elsewhere lines start with the time.
package final class Logger: Sendable {
    package enum Level: Int32, Sendable { case error = 3, warning = 4, info = 6, debug = 7 }

    private let journal: Bool
    private let lock = Mutex(())
    /// Every line passes through it: no secret reaches the journal.
    package let redactor = Redactor()

    package init(environment: [String: String]) {
        journal = environment["JOURNAL_STREAM"] != nil
    }

    package func error(_ message: String) { log(.error, message) }
    package func warning(_ message: String) { log(.warning, message) }
    package func info(_ message: String) { log(.info, message) }

    package func log(_ level: Level, _ message: String) {
        let oneLine = redactor.scrub(message.replacingNewlines())
        let line: String
        if journal {
            line = "<\(level.rawValue)>\(oneLine)\n"
        } else {
            let tag = level == .error ? "error: " : level == .warning ? "warning: " : ""
            line = "\(Timestamp(nanoseconds: wallNanos()).iso8601(fractional: true)) \(tag)\(oneLine)\n"
        }
        lock.withLock { _ in
            var bytes = Array(line.utf8)
            _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
        }
    }
}

extension String {
    /// Multi-line text (a config error list) becomes one log line.
    func replacingNewlines() -> String {
        split(separator: "\n", omittingEmptySubsequences: true).joined(separator: "; ")
    }
}
