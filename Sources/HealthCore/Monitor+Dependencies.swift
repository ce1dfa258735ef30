/// `depends_on`: what a probe's alerts make of its parents' state.
extension Monitor {
    /// The parent (`depends_on`) that is down, followed up through parents that are down too to
    /// the likely root cause. The config forbids cycles; the depth bound keeps a hand-built spec from looping.
    func suppressor(of i: Int, depth: Int = 0) -> String? {
        guard depth < entries.count else { return nil }
        for p in parentIndices[i] where entries[p].state.health == .down {
            return suppressor(of: p, depth: depth + 1) ?? entries[p].rules.name
        }
        return nil
    }

    /// The parent probe `i`'s alerts wait on when none is down: the first failing short of down, else the first
    /// without a result since probe `i` entered its level (its last word may predate the trouble).
    func awaitedParent(of i: Int) -> AwaitedParent? {
        var unchecked: AwaitedParent?
        for p in parentIndices[i] {
            let parent = entries[p]
            if parent.state.consecutiveFailures > 0, parent.state.health != .down {
                return AwaitedParent(name: parent.rules.name, unchecked: false, hold: parent.rules.timeToDown)
            }
            guard unchecked == nil, let since = entries[i].state.since else { continue }
            if (parent.state.lastSample.map { $0.time < since }) ?? true {
                unchecked = AwaitedParent(name: parent.rules.name, unchecked: true, hold: parent.rules.timeToDown)
            }
        }
        return unchecked
    }
}
