import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The one way these tests wait: calls `attempt` until `done` accepts what it returned or `seconds` pass, and
/// returns the last result. On a timeout it records an issue naming `what` (and that result) at the caller's
/// line. A test waits for the condition it needs — as long as a loaded machine takes, no longer — never for
/// a fixed time.
@discardableResult
func waitFor<T>(_ what: @autoclosure () -> String, seconds: Double = 10, every interval: Double = 0.05,
                sourceLocation: SourceLocation = #_sourceLocation,
                _ attempt: () throws -> T, until done: (T) throws -> Bool) rethrows -> T {
    let deadline = Date().addingTimeInterval(seconds)
    var last = try attempt()
    while try !done(last) {
        guard Date() < deadline else {
            let shown = last is Bool ? "" : "; last: \(last)"
            Issue.record("timed out after \(seconds) s waiting for \(what())\(shown)", sourceLocation: sourceLocation)
            return last
        }
        usleep(useconds_t(interval * 1_000_000))
        last = try attempt()
    }
    return last
}

/// `waitFor` a condition; whether it held in time.
@discardableResult
func waitUntil(_ what: @autoclosure () -> String, seconds: Double = 10, every interval: Double = 0.05,
               sourceLocation: SourceLocation = #_sourceLocation, _ condition: () throws -> Bool) rethrows -> Bool {
    try waitFor(what(), seconds: seconds, every: interval, sourceLocation: sourceLocation, condition, until: { $0 })
}
