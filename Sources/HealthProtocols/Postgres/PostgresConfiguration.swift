// What a PostgreSQL probe conversation needs to know. Its descriptions never show the password.

package struct PostgresConfiguration: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// libpq's `sslmode`. Which connection attempts each makes (plain first for `allow`, TLS first
    /// for `prefer`) is the transport's business; this state machine runs one attempt at a time.
    package enum SSLMode: String, Sendable, Hashable, CaseIterable {
        /// No SSLRequest: plain text only.
        case disable
        /// Plain text first; TLS (unverified) if the server refuses that.
        case allow
        /// TLS (unverified) if the server has it, else plain text.
        case prefer
        /// TLS or nothing; the certificate is not verified (unless a root certificate is given).
        case require
        /// TLS with the chain verified.
        case verifyCA = "verify-ca"
        /// TLS with the chain and the host name verified.
        case verifyFull = "verify-full"

        /// The server must speak TLS.
        package var requiresTLS: Bool { self == .require || self == .verifyCA || self == .verifyFull }
    }

    /// libpq's `channel_binding`: SCRAM-SHA-256-PLUS binds the authentication to the TLS session,
    /// so a man in the middle holding another certificate cannot relay it.
    package enum ChannelBinding: String, Sendable, Hashable, CaseIterable {
        case disable, prefer, require
    }

    /// How this connection attempt starts: with SSLRequest (then TLS on `S`) or in plain text.
    package enum Transport: Sendable, Hashable {
        case plain
        /// Send SSLRequest; `N` is acceptable only when `fallbackToPlain`.
        case negotiateTLS(fallbackToPlain: Bool)
    }

    package static let defaultQuery = "SELECT 1"
    package static let defaultApplicationName = "healthd"
    package static let defaultDetailsRowLimit = 10
    /// SCRAM iteration counts above this are refused: PBKDF2 runs on the caller's thread, and a
    /// hostile server could otherwise ask for billions. PostgreSQL's default is 4096.
    package static let defaultMaxSCRAMIterations = 100_000

    package var user: String
    package var password: String?
    /// Empty: not sent (the server uses the user name).
    package var database: String
    package var applicationName: String
    package var transport: Transport
    package var channelBinding: ChannelBinding
    package var authPolicy: PostgresAuthPolicy
    /// Run with the simple query protocol; the result is its last statement's first column of the first row.
    package var query: String
    /// A second query whose rows (up to `detailsRowLimit`) are reported as details.
    package var detailsQuery: String?
    package var detailsRowLimit: Int
    package var maxSCRAMIterations: Int

    package init(
        user: String, password: String? = nil, database: String = "",
        applicationName: String = defaultApplicationName, transport: Transport = .negotiateTLS(fallbackToPlain: true),
        channelBinding: ChannelBinding = .prefer, authPolicy: PostgresAuthPolicy = PostgresAuthPolicy(), query: String? = nil,
        detailsQuery: String? = nil, detailsRowLimit: Int = defaultDetailsRowLimit,
        maxSCRAMIterations: Int = defaultMaxSCRAMIterations
    ) {
        self.user = user
        self.password = password
        self.database = database
        self.applicationName = applicationName
        self.transport = transport
        self.channelBinding = channelBinding
        self.authPolicy = authPolicy
        self.query = query ?? Self.defaultQuery
        self.detailsQuery = detailsQuery
        self.detailsRowLimit = detailsRowLimit
        self.maxSCRAMIterations = maxSCRAMIterations
    }

    /// The StartupMessage parameters: user, database (if any), application_name, and
    /// client_encoding UTF8 so that every text value and message arrives as UTF-8. Nothing else:
    /// poolers (PgBouncer, pgpool, cloud poolers) refuse parameters they do not track, so the
    /// read-only guard travels with each query instead (`readOnly(_:)`).
    package var startupParameters: [(name: String, value: String)] {
        var parameters: [(name: String, value: String)] = [("user", user)]
        if !database.isEmpty { parameters.append(("database", database)) }
        if !applicationName.isEmpty { parameters.append(("application_name", applicationName)) }
        parameters.append(("client_encoding", "UTF8"))
        return parameters
    }

    /// The query inside a read-only transaction that is rolled back, as one simple-query message:
    /// it holds through transaction-mode poolers, where session settings do not. The line breaks
    /// keep a trailing `--` comment in the query from swallowing the ROLLBACK.
    package static func readOnly(_ query: String) -> String {
        "BEGIN READ ONLY;\n\(query)\n;ROLLBACK"
    }

    /// Why these settings cannot be put on the wire, if they cannot. (The password is checked
    /// only if the server asks for it in clear text.)
    package func validate() -> PostgresError? {
        func invalid(_ message: String) -> PostgresError { PostgresError(.configuration, message) }
        if user.isEmpty { return invalid("the user name is empty") }
        for (name, value) in [
            ("user name", user), ("database name", database), ("application name", applicationName),
            ("query", query), ("details query", detailsQuery ?? ""),
        ] where value.utf8.contains(0) {
            return invalid("the \(name) contains a NUL character")
        }
        if detailsRowLimit < 0 { return invalid("the details row limit is negative") }
        if maxSCRAMIterations < 1 { return invalid("the SCRAM iteration limit is below 1") }
        return nil
    }

    package var description: String {
        var text = "PostgresConfiguration(user: \(user), password: \(password == nil ? "none" : "<redacted>")"
        text += ", database: \(database), application_name: \(applicationName), transport: \(transport)"
        text += ", channel_binding: \(channelBinding.rawValue), \(authPolicy)"
        text += ", query: \(query)"
        if let detailsQuery { text += ", details query: \(detailsQuery) (up to \(detailsRowLimit) rows)" }
        return text + ")"
    }

    package var debugDescription: String { description }

    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "user": user, "password": password == nil ? "none" : "<redacted>", "database": database,
                "applicationName": applicationName, "transport": transport, "channelBinding": channelBinding,
                "authPolicy": authPolicy, "query": query,
                "detailsQuery": detailsQuery as Any, "detailsRowLimit": detailsRowLimit,
                "maxSCRAMIterations": maxSCRAMIterations,
            ], displayStyle: .struct)
    }
}
