import HealthCore
import HealthSys
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One line per event on stderr. Under systemd (`JOURNAL_STREAM` set) each line starts with its
/// syslog priority (`<3>` error, `<4>` warning, `<6>` info) and the journal adds the time;
/// elsewhere lines start with the time.
public final class Logger: Sendable {
    public enum Level: Int32, Sendable { case error = 3, warning = 4, info = 6, debug = 7 }

    private let journal: Bool
    private let lock = Mutex(())
    /// Every line passes through it: no secret reaches the journal.
    public let redactor = Redactor()

    public init(environment: [String: String]) {
        journal = environment["JOURNAL_STREAM"] != nil
    }

    public func error(_ message: String) { log(.error, message) }
    public func warning(_ message: String) { log(.warning, message) }
    public func info(_ message: String) { log(.info, message) }

    public func log(_ level: Level, _ message: String) {
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
