/// Where time is read: both of the system's clocks behind one seam, so that what paces the daemon
/// (monotonic) and what stamps its samples (wall) can be driven by hand in tests, and stepped apart.
package protocol TimeSource {
    /// Nanoseconds that only move forward at a steady pace: deadlines, intervals, debouncing.
    func monotonicNanos() -> Int64
    /// Nanoseconds since the epoch as the system says now; it may step back or forward (NTP, a VM resumed).
    func wallNanos() -> Int64
}

/// The system's clocks, `CLOCK_MONOTONIC` and `CLOCK_REALTIME`.
package struct SystemClock: TimeSource, Sendable {
    package init() {}

    @inline(__always) package func monotonicNanos() -> Int64 { HealthSys.monotonicNanos() }
    @inline(__always) package func wallNanos() -> Int64 { HealthSys.wallNanos() }
}
