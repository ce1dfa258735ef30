// What a PostgreSQL probe conversation needs to know. Its descriptions never show the password.

public struct PostgresConfiguration: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// Like libpq's `sslmode`, restricted to what healthd can do without TLS.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        /// No SSLRequest: start in plain text.
        case disable
        /// Send SSLRequest; on `N` continue in plain text; on `S` fail (no TLS in healthd yet).
        case prefer
        /// Send SSLRequest; `N` fails (the server has no TLS), and so does `S` (healthd has none yet).
        case require
    }

    public static let defaultQuery = "SELECT 1"
    public static let defaultApplicationName = "healthd"
    public static let defaultDetailsRowLimit = 10
    /// SCRAM iteration counts above this are refused: PBKDF2 runs on the caller's thread, and a
    /// hostile server could otherwise ask for billions. PostgreSQL's default is 4096.
    public static let defaultMaxSCRAMIterations = 100_000

    public var user: String
    public var password: String?
    /// Empty: not sent (the server uses the user name).
    public var database: String
    public var applicationName: String
    public var sslMode: SSLMode
    /// Run with the simple query protocol; the result is its last statement's first column of the first row.
    public var query: String
    /// A second query whose rows (up to `detailsRowLimit`) are reported as details.
    public var detailsQuery: String?
    public var detailsRowLimit: Int
    public var maxSCRAMIterations: Int

    public init(
        user: String, password: String? = nil, database: String = "",
        applicationName: String = defaultApplicationName, sslMode: SSLMode = .prefer, query: String? = nil,
        detailsQuery: String? = nil, detailsRowLimit: Int = defaultDetailsRowLimit,
        maxSCRAMIterations: Int = defaultMaxSCRAMIterations
    ) {
        self.user = user
        self.password = password
        self.database = database
        self.applicationName = applicationName
        self.sslMode = sslMode
        self.query = query ?? Self.defaultQuery
        self.detailsQuery = detailsQuery
        self.detailsRowLimit = detailsRowLimit
        self.maxSCRAMIterations = maxSCRAMIterations
    }

    /// The StartupMessage parameters: user, database (if any), application_name,
    /// client_encoding UTF8 so that every text value and message arrives as UTF-8, and a
    /// read-only session: probes never change what they monitor, whatever their SQL says.
    public var startupParameters: [(name: String, value: String)] {
        var parameters: [(name: String, value: String)] = [("user", user)]
        if !database.isEmpty { parameters.append(("database", database)) }
        if !applicationName.isEmpty { parameters.append(("application_name", applicationName)) }
        parameters.append(("client_encoding", "UTF8"))
        parameters.append(("default_transaction_read_only", "on"))
        return parameters
    }

    /// Why these settings cannot be put on the wire, if they cannot. (The password is checked
    /// only if the server asks for it in clear text.)
    public func validate() -> PostgresError? {
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

    public var description: String {
        var text = "PostgresConfiguration(user: \(user), password: \(password == nil ? "none" : "<redacted>")"
        text += ", database: \(database), application_name: \(applicationName), sslmode: \(sslMode.rawValue)"
        text += ", query: \(query)"
        if let detailsQuery { text += ", details query: \(detailsQuery) (up to \(detailsRowLimit) rows)" }
        return text + ")"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "user": user, "password": password == nil ? "none" : "<redacted>", "database": database,
                "applicationName": applicationName, "sslMode": sslMode, "query": query,
                "detailsQuery": detailsQuery as Any, "detailsRowLimit": detailsRowLimit,
                "maxSCRAMIterations": maxSCRAMIterations,
            ], displayStyle: .struct)
    }
}
