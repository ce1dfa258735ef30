import HealthCore

/// Where healthd keeps what outlives a restart: checkpoints, the audit log, run-time silences.
package struct StateConfig: Sendable, Equatable {
    package var dir = "/var/lib/healthd"
    package var checkpointInterval = TimeSpan.minutes(1)
    /// The audit log rotates at this size, keeping `auditFiles` old files.
    package var auditMaxBytes = 1 << 20
    package var auditFiles = 3
}

/// A named way of telling someone: referenced by alert rules.
package struct HookConfig: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case exec(ExecHook)
        case webhook(WebhookHook)
        case alertmanager(AlertmanagerHook)
    }
    package var name: String
    package var kind: Kind
}

package struct ExecHook: Sendable, Equatable {
    package var argv: [String]
    package var timeout: TimeSpan
    /// At most this many runs at once; further alerts wait their turn.
    package var concurrency: Int
}

package struct WebhookHook: Sendable, Equatable {
    package var endpoint: Endpoint
    /// Set for `https://`.
    package var tls: TLSSettings? = nil
    package var headers: [Header]
    /// Header values read from files (tokens): sent, never shown.
    package var secretHeaders: [Header]
    package var timeout: TimeSpan
    /// Attempts after the first, spaced by `backoff` doubling each time, with jitter.
    package var retries: Int
    package var backoff: TimeSpan
    /// Deliveries waiting beyond this many are dropped (oldest first) and audited.
    package var queue: Int

    package struct Header: Sendable, Equatable {
        package var name: String
        package var value: String
    }
}

package struct AlertmanagerHook: Sendable, Equatable {
    /// Every one is sent to (an HA pair deduplicates).
    package var endpoints: [Endpoint]
    /// Used for the `https://` ones.
    package var tls: TLSSettings? = nil
    package var labels: [(String, String)]
    package var resend: TimeSpan
    package var timeout: TimeSpan

    package static func == (a: AlertmanagerHook, b: AlertmanagerHook) -> Bool {
        a.endpoints == b.endpoints && a.tls == b.tls && a.resend == b.resend && a.timeout == b.timeout
            && a.labels.count == b.labels.count && zip(a.labels, b.labels).allSatisfy { $0 == $1 }
    }
}

/// Who may use the API socket and how much: its group (read ops), the admin group (ops that act),
/// and the per-client limits.
package struct SocketConfig: Sendable, Equatable {
    package var group: String?
    package var adminGroup: String?
    package var maxClients = 1024
    package var idleTimeout = TimeSpan.seconds(60)
    package var requestsPerSecond = 50.0
}
