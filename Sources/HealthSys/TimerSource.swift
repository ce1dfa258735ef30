/// A timer armed on a `TimerSource`, to cancel it by.
package struct TimerID: Hashable, Sendable {
    package let raw: UInt64

    package init(raw: UInt64) { self.raw = raw }
}

/// Where timers are armed, on monotonic deadlines: the event loop, or one driven by hand in tests.
package protocol TimerSource: AnyObject {
    /// Runs `action` once the monotonic clock reaches `deadline`.
    @discardableResult
    func schedule(at deadline: Int64, _ action: @escaping () -> Void) -> TimerID
    /// The timer will not run; a timer that already ran or was cancelled is ignored.
    func cancel(_ timer: TimerID)
}
