import HealthCore
import HealthProtocols

/// `postgres`: connect (and authenticate), then `query` or `SELECT 1`.
package struct PostgresCheck: Sendable, Equatable {
    package typealias SSLMode = PostgresConfiguration.SSLMode

    package var endpoint: Endpoint
    package var user: String
    package var password: String?
    package var database: String
    package var sslMode: SSLMode
    /// Trust and client certificate (`sslrootcert`, `sslcert`, `sslkey`, or the `tls` block); what
    /// is verified follows `sslMode`.
    package var tls = TLSSettings()
    package var channelBinding = PostgresConfiguration.ChannelBinding.prefer
    package var authPolicy = PostgresAuthPolicy()
    /// The value query: the first column of the first row becomes the sample's value.
    package var query: String?
    package var details: DetailsQuery?

    package init(endpoint: Endpoint, user: String, password: String?, database: String, sslMode: SSLMode,
                query: String?, details: DetailsQuery?) {
        (self.endpoint, self.user, self.password, self.database) = (endpoint, user, password, database)
        (self.sslMode, self.query, self.details) = (sslMode, query, details)
    }
}

/// Rows attached to a probe in the snapshot (the users' "last 10 failures").
package struct DetailsQuery: Sendable, Equatable {
    package var query: String
    package var limit: Int
    /// Longer text values are cut to this many characters.
    package var truncate: Int
}

/// `redis`: AUTH and SELECT as the URL says, then `command` (read-only) or PING.
package struct RedisCheck: Sendable, Equatable {
    package var endpoint: Endpoint
    /// Set for `rediss://`.
    package var tls: TLSSettings?
    package var user: String?
    package var password: String?
    package var database: Int
    package var command: [String]
    /// For INFO: the field whose number becomes the value.
    package var field: String?

    package init(endpoint: Endpoint, user: String?, password: String?, database: Int, command: [String], field: String?) {
        (self.endpoint, self.user, self.password, self.database, self.command, self.field) =
            (endpoint, user, password, database, command, field)
    }
}

/// `prometheus`: an instant query against `/api/v1/query`.
package struct PrometheusCheck: Sendable, Equatable {
    package var endpoint: Endpoint
    /// Set for `https://`.
    package var tls: TLSSettings?
    package var query: String
    /// An empty result is a failure rather than "no data".
    package var requireData: Bool

    package init(endpoint: Endpoint, query: String, requireData: Bool) {
        (self.endpoint, self.query, self.requireData) = (endpoint, query, requireData)
    }
}
