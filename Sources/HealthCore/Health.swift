/// Tri-state health, ordered so that `max` is "the worse of".
package enum Health: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    case healthy = 0
    case degraded = 1
    case down = 2

    package static func < (a: Health, b: Health) -> Bool { a.rawValue < b.rawValue }
    package var description: String {
        switch self {
        case .healthy: "healthy"
        case .degraded: "degraded"
        case .down: "down"
        }
    }
}

/// Why a probe attempt failed; the snapshot's `error.category`.
package enum FailureCategory: String, Sendable, CaseIterable {
    case timeout, refused, dns, tls, auth, `protocol`, assertion, exec
}

package struct ProbeFailure: Error, Sendable, Equatable {
    package var category: FailureCategory
    package var message: String
    package init(_ category: FailureCategory, _ message: String) {
        self.category = category
        self.message = message
    }
}

/// One probe attempt's result.
package struct Sample: Sendable, Equatable {
    package var time: Timestamp
    /// Latency in milliseconds (connect time, full response time, process run time …).
    package var latencyMs: Double
    package var value: Double?
    package var failure: ProbeFailure?
    /// A check may report its own level (Nagios exit 1 ⇒ degraded) while still succeeding.
    package var reportedHealth: Health
    package var message: String?
    /// The check ran fine but found nothing to measure (an empty query result, a missing key).
    package var noData: Bool
    /// Rows a check attaches for people to read (the last failures …); nil when it attaches none.
    package var details: [DetailRow]?
    /// The TLS session the attempt spoke, when it got that far (also on failures after the handshake).
    package var tls: TLSFacts?
    package var timings: AttemptTimings?

    package var ok: Bool { failure == nil }

    package init(time: Timestamp, latencyMs: Double, value: Double? = nil, failure: ProbeFailure? = nil,
                reportedHealth: Health = .healthy, message: String? = nil, noData: Bool = false,
                details: [DetailRow]? = nil, tls: TLSFacts? = nil, timings: AttemptTimings? = nil) {
        self.time = time
        self.latencyMs = latencyMs
        self.value = value
        self.failure = failure
        self.reportedHealth = reportedHealth
        self.message = message
        self.noData = noData
        self.details = details
        self.tls = tls
        self.timings = timings
    }
}

extension Sample {
    /// The sample with a non-finite value (PostgreSQL's 'NaN', a JSON "nan", Prometheus' `NaN`, a number too large
    /// for a Double) taken as no data: NaN makes every comparison false but `!=` true, and once in a window's sums
    /// it would spoil their average for as long as the window reaches back.
    func withFiniteValue() -> Sample {
        guard let v = value, !v.isFinite else { return self }
        var s = self
        s.value = nil
        s.noData = true
        let note = "value is \(formatNumber(v)): treated as no data"
        s.message = message.map { $0.isEmpty ? note : "\($0); \(note)" } ?? note
        return s
    }
}

/// One row of a check's details: column names and text values, in query order.
package struct DetailRow: Sendable, Equatable {
    package struct Field: Sendable, Equatable {
        package var name: String
        package var value: String?
        package init(name: String, value: String?) {
            self.name = name
            self.value = value
        }
    }

    package var fields: [Field]
    package init(fields: [Field]) { self.fields = fields }
}
