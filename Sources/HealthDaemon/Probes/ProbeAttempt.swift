import HealthCore
import HealthSys

/// What one attempt found, before the scheduler stamps it with time and latency.
package enum ProbeOutcome: Sendable, Equatable {
    case success(ProbeReading)
    case failure(ProbeFailure)

    static let ok = ProbeOutcome.success(ProbeReading())

    static func success(value: Double?, reported: Health = .healthy, message: String?, noData: Bool = false) -> ProbeOutcome {
        .success(ProbeReading(value: value, reported: reported, message: message, noData: noData))
    }
}

/// What a successful attempt read.
package struct ProbeReading: Sendable, Equatable {
    package var value: Double?
    /// A check may judge itself (Nagios exit codes).
    package var reported: Health = .healthy
    package var message: String?
    /// The check worked but had nothing to measure (empty result, missing key).
    package var noData = false
    package var details: [DetailRow]?
}

/// One run of a probe, driven on the event loop. `start` must call `finish` exactly once,
/// unless `abort` (the timeout) comes first; after `abort` it must not call it and must
/// release whatever it holds (sockets, processes).
protocol ProbeAttempt: AnyObject {
    func start(_ finish: @escaping (ProbeOutcome) -> Void)
    func abort()
    /// What the attempt saw of its connection so far (read when it finishes or times out).
    var connectionFacts: ConnectionFacts { get }
}

extension ProbeAttempt {
    var connectionFacts: ConnectionFacts { ConnectionFacts() }
}

/// The TLS session and phase timings of an attempt's connection; `timings.total` is left to the scheduler.
struct ConnectionFacts {
    var tls: TLSFacts?
    var timings: AttemptTimings?

    init(tls: TLSFacts? = nil, timings: AttemptTimings? = nil) {
        self.tls = tls
        self.timings = timings
    }

    init(_ connection: StreamConnection) {
        self.init(tls: connection.tlsFacts, timings: connection.timings)
    }
}

/// Loop-wide things attempts share.
final class ProbeContext {
    let loop: EventLoop
    let resolver: Resolver
    let tls: TLSContexts
    /// One read buffer for every connection on the loop: reads never overlap on one thread.
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    init(loop: EventLoop) {
        self.loop = loop
        self.resolver = Resolver(loop: loop)
        self.tls = TLSContexts(loop: loop)
    }

    deinit { scratch.deallocate() }
}
