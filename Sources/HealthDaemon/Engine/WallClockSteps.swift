/// Tells a step of the wall clock (NTP setting it, a VM resumed) from time passing: between two
/// readings both clocks advance alike unless the wall clock was set. A slewing NTP moves it at
/// most 0.5 ms a second, far below `threshold`, so only steps are reported.
struct WallClockSteps {
    static let threshold: Int64 = 1_000_000_000
    /// wall − monotonic at the last reading.
    private var offset: Int64?

    /// The step since the last reading, if the wall clock was set by `threshold` or more.
    mutating func step(monotonic: Int64, wall: Int64) -> Int64? {
        let now = wall &- monotonic
        defer { offset = now }
        guard let offset, abs(now &- offset) >= Self.threshold else { return nil }
        return now &- offset
    }
}
