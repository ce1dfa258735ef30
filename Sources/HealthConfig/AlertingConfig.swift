import HealthCore

/// Where healthd keeps what outlives a restart: checkpoints, the audit log, run-time silences.
public struct StateConfig: Sendable, Equatable {
    public var dir = "/var/lib/healthd"
    public var checkpointInterval = TimeSpan.minutes(1)
    /// The audit log rotates at this size, keeping `auditFiles` old files.
    public var auditMaxBytes = 1 << 20
    public var auditFiles = 3
}

/// A named way of telling someone: referenced by alert rules.
public struct HookConfig: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case exec(ExecHook)
        case webhook(WebhookHook)
        case alertmanager(AlertmanagerHook)
    }
    public var name: String
    public var kind: Kind
}

public struct ExecHook: Sendable, Equatable {
    public var argv: [String]
    public var timeout: TimeSpan
    /// At most this many runs at once; further alerts wait their turn.
    public var concurrency: Int
}

public struct WebhookHook: Sendable, Equatable {
    public var endpoint: Endpoint
    /// Set for `https://`.
    public var tls: TLSSettings? = nil
    public var headers: [Header]
    /// Header values read from files (tokens): sent, never shown.
    public var secretHeaders: [Header]
    public var timeout: TimeSpan
    /// Attempts after the first, spaced by `backoff` doubling each time, with jitter.
    public var retries: Int
    public var backoff: TimeSpan
    /// Deliveries waiting beyond this many are dropped (oldest first) and audited.
    public var queue: Int

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
    }
}

public struct AlertmanagerHook: Sendable, Equatable {
    /// Every one is sent to (an HA pair deduplicates).
    public var endpoints: [Endpoint]
    /// Used for the `https://` ones.
    public var tls: TLSSettings? = nil
    public var labels: [(String, String)]
    public var resend: TimeSpan
    public var timeout: TimeSpan

    public static func == (a: AlertmanagerHook, b: AlertmanagerHook) -> Bool {
        a.endpoints == b.endpoints && a.tls == b.tls && a.resend == b.resend && a.timeout == b.timeout
            && a.labels.count == b.labels.count && zip(a.labels, b.labels).allSatisfy { $0 == $1 }
    }
}

/// Who may use the API socket and how much: its group (read ops), the admin group (ops that act),
/// and the per-client limits.
public struct SocketConfig: Sendable, Equatable {
    public var group: String?
    public var adminGroup: String?
    public var maxClients = 1024
    public var idleTimeout = TimeSpan.seconds(60)
    public var requestsPerSecond = 50.0
}
