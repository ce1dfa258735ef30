import HealthCore
import HealthProtocols

/// `postgres`: connect (and authenticate), then `query` or `SELECT 1`.
public struct PostgresCheck: Sendable, Equatable {
    public typealias SSLMode = PostgresConfiguration.SSLMode

    public var endpoint: Endpoint
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// Trust and client certificate (`sslrootcert`, `sslcert`, `sslkey`, or the `tls` block); what
    /// is verified follows `sslMode`.
    public var tls = TLSSettings()
    public var channelBinding = PostgresConfiguration.ChannelBinding.prefer
    public var authPolicy = PostgresAuthPolicy()
    /// The value query: the first column of the first row becomes the sample's value.
    public var query: String?
    public var details: DetailsQuery?

    public init(endpoint: Endpoint, user: String, password: String?, database: String, sslMode: SSLMode,
                query: String?, details: DetailsQuery?) {
        (self.endpoint, self.user, self.password, self.database) = (endpoint, user, password, database)
        (self.sslMode, self.query, self.details) = (sslMode, query, details)
    }
}

/// Rows attached to a probe in the snapshot (the users' "last 10 failures").
public struct DetailsQuery: Sendable, Equatable {
    public var query: String
    public var limit: Int
    /// Longer text values are cut to this many characters.
    public var truncate: Int
}

/// `redis`: AUTH and SELECT as the URL says, then `command` (read-only) or PING.
public struct RedisCheck: Sendable, Equatable {
    public var endpoint: Endpoint
    /// Set for `rediss://`.
    public var tls: TLSSettings?
    public var user: String?
    public var password: String?
    public var database: Int
    public var command: [String]
    /// For INFO: the field whose number becomes the value.
    public var field: String?

    public init(endpoint: Endpoint, user: String?, password: String?, database: Int, command: [String], field: String?) {
        (self.endpoint, self.user, self.password, self.database, self.command, self.field) =
            (endpoint, user, password, database, command, field)
    }
}

/// `prometheus`: an instant query against `/api/v1/query`.
public struct PrometheusCheck: Sendable, Equatable {
    public var endpoint: Endpoint
    /// Set for `https://`.
    public var tls: TLSSettings?
    public var query: String
    /// An empty result is a failure rather than "no data".
    public var requireData: Bool

    public init(endpoint: Endpoint, query: String, requireData: Bool) {
        (self.endpoint, self.query, self.requireData) = (endpoint, query, requireData)
    }
}
