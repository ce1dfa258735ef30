/// A timer armed on a `TimerSource`, to cancel it by.
public struct TimerID: Hashable, Sendable {
    public let raw: UInt64

    public init(raw: UInt64) { self.raw = raw }
}

/// Where timers are armed, on monotonic deadlines: the event loop, or one driven by hand in tests.
public protocol TimerSource: AnyObject {
    /// Runs `action` once the monotonic clock reaches `deadline`.
    @discardableResult
    func schedule(at deadline: Int64, _ action: @escaping () -> Void) -> TimerID
    /// The timer will not run; a timer that already ran or was cancelled is ignored.
    func cancel(_ timer: TimerID)
}
