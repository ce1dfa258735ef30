/// Sensu/Nagios-style flap detection: the weighted percentage of state changes over the last 21
/// results, recent changes weighing more (0.8 for the oldest transition up to 1.2 for the newest).
/// Flapping starts above `high` percent and stops below `low`, so the verdict itself does not flap.
package struct FlapDetector: Sendable, Equatable {
    package static let results = 21

    /// The last results' health levels, oldest first.
    package internal(set) var history: [Health] = []
    package internal(set) var flapping = false

    package init() {}

    /// The weighted state-change percentage (0…100) over the history.
    package var percent: Double {
        guard history.count > 1 else { return 0 }
        let transitions = Self.results - 1
        let offset = transitions - (history.count - 1)
        var sum = 0.0
        for i in 1..<history.count where history[i] != history[i - 1] {
            sum += 0.8 + 0.4 * Double(offset + i - 1) / Double(transitions - 1)
        }
        return sum / Double(transitions) * 100
    }

    /// Records one result; returns true when `flapping` changed.
    @discardableResult
    package mutating func record(_ health: Health, low: Double, high: Double) -> Bool {
        history.append(health)
        if history.count > Self.results { history.removeFirst(history.count - Self.results) }
        let p = percent
        let was = flapping
        if !flapping, p > high { flapping = true } else if flapping, p < low { flapping = false }
        return was != flapping
    }
}
