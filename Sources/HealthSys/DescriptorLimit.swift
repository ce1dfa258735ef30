#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit. Each probe attempt, child pipe and socket client holds a
/// descriptor, and running out makes healthy targets look down.
package enum DescriptorLimit {
    /// Raises the soft limit to the hard one (as far as it is allowed) and returns the soft limit
    /// now in force.
    @discardableResult
    package static func raiseToHard() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        // RLIM_INFINITY is all ones; either way, more than any table of descriptors holds.
        return Int(min(limit.rlim_cur, UInt(Int32.max)))
    }

    /// How many socket clients fit beside the descriptors probes and hooks may need at once: each
    /// probe attempt up to four (an exec's three pipes and its pidfd), each hook slot as many,
    /// and 64 for the daemon's own (logs, files, the loop, the listener).
    package static func clientBudget(limit: Int, probes: Int, hookSlots: Int) -> Int {
        max(0, limit - 64 - 4 * (probes + hookSlots))
    }
}
