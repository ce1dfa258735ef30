/// A parent (`depends_on`) that may yet turn out to be the cause of a probe's trouble: failing but not down yet, or
/// not run since the probe entered its level. An alert about to fire waits on it — as Nagios checks a host's parent
/// on demand before it says the host is down — for the parent to go down (then the alert is suppressed) or to prove
/// healthy (then it fires). At most `hold`, so that a wedged parent cannot silence its children for good.
package struct AwaitedParent: Sendable, Equatable {
    package var name: String
    /// It has not run since the probe entered its level: run it now rather than wait for its turn.
    package var unchecked: Bool
    /// The parent's `timeToDown`: by then a parent that fails will be down.
    package var hold: TimeSpan

    package init(name: String, unchecked: Bool, hold: TimeSpan) {
        self.name = name
        self.unchecked = unchecked
        self.hold = hold
    }
}
