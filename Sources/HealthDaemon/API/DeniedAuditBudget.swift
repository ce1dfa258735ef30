/// How many denied admin requests of one uid the audit log records: 20 at once, then one every 6 s. A reader
/// may ask for admin ops as often as it likes, but it cannot rotate the operators' records out of
/// the log that way; what is not recorded is counted in the next record that is.
struct DeniedAuditBudget {
    enum Verdict: Equatable {
        /// Record it, saying how many were left out since the last record.
        case record(suppressed: Int)
        case suppress
    }

    static let burst = 20.0
    static let perSecond = 1.0 / 6

    private var tokens = burst
    private var refilled: Int64?
    private var suppressed = 0

    mutating func take(now: Int64) -> Verdict {
        let elapsed = refilled.map { Double(max(0, now - $0)) / 1e9 } ?? 0
        tokens = min(Self.burst, tokens + elapsed * Self.perSecond)
        refilled = now
        guard tokens >= 1 else {
            suppressed += 1
            return .suppress
        }
        tokens -= 1
        defer { suppressed = 0 }
        return .record(suppressed: suppressed)
    }
}
