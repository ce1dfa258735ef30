/// Why a Redis probe failed. Messages never contain the password: the state machine builds them
/// from its own text plus server text, arguments and values with the password (and any long
/// prefix of it) replaced by `***`, control characters escaped and length capped.
package struct RedisProbeError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Category: String, Sendable, Equatable, CaseIterable {
        /// The server refused our credentials or the ACL user lacks a permission.
        case auth
        /// The conversation went wrong: error replies, replies of the wrong type or value,
        /// malformed RESP, a connection closed early.
        case `protocol`
    }

    package var category: Category
    package var message: String

    package init(_ category: Category, _ message: String) {
        self.category = category
        self.message = message
    }

    package var description: String { "redis \(category.rawValue) error: \(message)" }
}

/// A successful probe: the number the command produced (nil for PING, or GET of a missing key)
/// and a short human-readable account of it.
package struct RedisProbeResult: Sendable, Equatable, CustomStringConvertible {
    package var value: Double?
    package var message: String

    package init(value: Double?, message: String) {
        self.value = value
        self.message = message
    }

    package var description: String { message }
}

/// The conversation of one Redis probe attempt over a fresh connection, as a value type with
/// no I/O: the transport writes what `.send` says, parses replies with `RESPParser`, and passes
/// each to `receive`, until `.finished` or `.failed` (then it closes the connection; writing
/// `RedisProbeStateMachine.quit` first is polite but optional).
///
///     [AUTH [user] password → +OK]   when a password is configured
///     [SELECT db → +OK]              when db ≠ 0
///     command → reply                PING by default; its reply gives the value
///
/// One command is in flight at a time, so a failed AUTH is never followed by the command.
package struct RedisProbeStateMachine: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    package enum Action: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
        /// Write these bytes, then keep reading.
        case send([UInt8])
        /// Nothing to write (an out-of-band push was skipped); keep reading.
        case wait
        /// Done: close the connection.
        case finished(RedisProbeResult)
        /// Done: close the connection.
        case failed(RedisProbeError)

        // The bytes of `send` may hold the password: descriptions show only their size.
        package var description: String {
            switch self {
            case .send(let bytes): "send(\(bytes.count) bytes)"
            case .wait: "wait"
            case .finished(let result): "finished(\(result))"
            case .failed(let error): "failed(\(error))"
            }
        }

        package var customMirror: Mirror {
            switch self {
            case .send(let bytes): Mirror(self, children: ["send": "\(bytes.count) bytes"], displayStyle: .enum)
            case .wait: Mirror(self, children: [:], displayStyle: .enum)
            case .finished(let result): Mirror(self, children: ["finished": result], displayStyle: .enum)
            case .failed(let error): Mirror(self, children: ["failed": error], displayStyle: .enum)
            }
        }
    }

    /// `QUIT`, for a transport that wants to say goodbye before closing.
    package static let quit: [UInt8] = RESPCommand.encode(["QUIT"])

    package let username: String?
    private let password: String?
    package let database: Int
    package let command: [String]
    package let infoField: String?

    private enum Step: Sendable, Equatable {
        case idle
        case auth
        case select
        case command
        case done(Action)
    }

    private var step: Step = .idle

    /// - Parameters:
    ///   - username: ACL user (Redis 6+); needs a password. Without it AUTH sends only the password
    ///     (the `default` user).
    ///   - password: sends AUTH first when set (even when empty).
    ///   - database: sends SELECT first when not 0.
    ///   - command: one of the read-only commands `validateProbeCommand` accepts.
    ///   - infoField: for INFO, the field whose number is the value (`connected_clients`, `db0.keys`).
    package init(
        username: String? = nil, password: String? = nil, database: Int = 0, command: [String] = ["PING"],
        infoField: String? = nil
    ) {
        self.username = username
        self.password = password
        self.database = database
        self.command = command
        self.infoField = infoField
    }

    /// The command whose reply is awaited ("AUTH", "SELECT 2", "LLEN celery"), for timeout messages.
    package var awaitedReply: String? {
        switch step {
        case .auth: "AUTH"
        case .select: "SELECT \(database)"
        case .command: commandText
        case .idle, .done: nil
        }
    }

    /// True once `.finished` or `.failed` has been returned.
    package var isDone: Bool {
        if case .done = step { return true }
        return false
    }

    // MARK: - Driving

    /// Call once the connection is up: the first bytes to send (or a failure if the probe's
    /// settings are unusable — config validation normally catches those first).
    package mutating func start() -> Action {
        guard case .idle = step else {
            if case .done(let action) = step { return action }
            return fail(.protocol, "the Redis probe was started twice")
        }
        if let message = Self.validateProbeCommand(command, infoField: infoField) {
            return fail(.protocol, clean(message))
        }
        if database < 0 {
            return fail(.protocol, "database index \(database) is negative")
        }
        if let password {
            if let username, username.isEmpty {
                return fail(.auth, "the ACL user name is empty")
            }
            step = .auth
            return .send(RESPCommand.encode(["AUTH"] + (username.map { [$0] } ?? []) + [password]))
        }
        if let username {
            return fail(.auth, "ACL user '\(clean(username))' is configured without a password")
        }
        return afterAuth()
    }

    /// Call with each value the parser produces.
    package mutating func receive(_ reply: RESPValue) -> Action {
        let value = reply.withoutAttributes
        switch step {
        case .done(let action):
            return action
        case .idle:
            return fail(.protocol, "the server sent \(describe(value)) before any command")
        case .auth, .select, .command:
            break
        }
        if case .push = value { return .wait }  // out-of-band (pub/sub, invalidation): not a reply
        if let message = value.errorMessage { return fail(classify(message)) }
        switch step {
        case .auth:
            guard Self.isOK(value) else { return fail(.protocol, "unexpected reply to AUTH: \(describe(value))") }
            return afterAuth()
        case .select:
            guard Self.isOK(value) else {
                return fail(.protocol, "unexpected reply to SELECT \(database): \(describe(value))")
            }
            return sendCommand()
        default:
            return finish(interpret(value))
        }
    }

    /// Call when the parser threw: the reply was not valid RESP.
    package mutating func parseFailed(_ error: RESPError) -> Action {
        if case .done(let action) = step { return action }
        let waiting = awaitedReply.map { " to \($0)" } ?? ""
        return fail(.protocol, "invalid reply\(waiting): \(clean(error.description))")
    }

    /// Call when the server closed the connection (or it broke) before the probe was done.
    package mutating func connectionClosed() -> Action {
        if case .done(let action) = step { return action }
        guard let awaited = awaitedReply else { return fail(.protocol, "connection closed before the probe started") }
        return fail(.protocol, "the server closed the connection before replying to \(awaited)")
    }

    // MARK: - Steps

    private mutating func afterAuth() -> Action {
        if database != 0 {
            step = .select
            return .send(RESPCommand.encode(["SELECT", String(database)]))
        }
        return sendCommand()
    }

    private mutating func sendCommand() -> Action {
        step = .command
        return .send(RESPCommand.encode(command))
    }

    private mutating func fail(_ category: RedisProbeError.Category, _ message: String) -> Action {
        fail(RedisProbeError(category, message))
    }

    private mutating func fail(_ error: RedisProbeError) -> Action {
        finish(.failure(error))
    }

    private mutating func finish(_ outcome: Result<RedisProbeResult, RedisProbeError>) -> Action {
        let action: Action =
            switch outcome {
            case .success(let result): .finished(result)
            case .failure(let error): .failed(error)
            }
        step = .done(action)
        return action
    }

    private static func isOK(_ value: RESPValue) -> Bool {
        if case .simpleString(let s) = value, asciiUppercased(s) == "OK" { return true }
        return false
    }

    // MARK: - Judging replies

    private var commandName: String { command.first.map(Self.asciiUppercased) ?? "" }

    /// The command as shown in messages: upper-case name, arguments escaped and cut short.
    private var commandText: String {
        ([clean(commandName)] + command.dropFirst().map { clean($0, limit: 60) }).joined(separator: " ")
    }

    /// An error reply to the step in progress.
    private func classify(_ serverText: String) -> RedisProbeError {
        let text = clean(serverText)
        let code = Self.asciiUppercased(String(serverText.prefix { $0 != " " }))
        let lower = serverText.lowercased()
        let user = username.map { "ACL user '\(clean($0))'" } ?? "the default user"
        let awaited = awaitedReply ?? "?"
        switch code {
        case "NOAUTH":
            if password == nil {
                return RedisProbeError(.auth, "the server requires a password and none is configured (\(text))")
            }
            return RedisProbeError(.auth, "the server requires authentication for \(awaited) (\(text))")
        case "WRONGPASS":
            return RedisProbeError(.auth, "authentication failed for \(user): wrong user name or password (\(text))")
        case "NOPERM":
            return RedisProbeError(.auth, "\(user) lacks permission for \(awaited) (\(text))")
        case "WRONGTYPE" where step == .command:
            return RedisProbeError(
                .protocol, "\(awaited): the key holds a different type of value than \(commandName) reads (\(text))")
        default:
            break
        }
        if lower.contains("invalid password") {
            return RedisProbeError(.auth, "authentication failed: wrong password (\(text))")
        }
        if lower.contains("no password is set") || lower.contains("without any password configured") {
            return RedisProbeError(.auth, "a password is configured but the server does not require one (\(text))")
        }
        if step == .auth {
            return RedisProbeError(.auth, "AUTH failed: \(text)")
        }
        return RedisProbeError(.protocol, "\(awaited) failed: \(text)")
    }

    /// The reply to the probe command.
    private func interpret(_ value: RESPValue) -> Result<RedisProbeResult, RedisProbeError> {
        let shown = commandText
        switch commandName {
        case "PING":
            if case .simpleString(let s) = value, Self.asciiUppercased(s) == "PONG" {
                return .success(RedisProbeResult(value: nil, message: "PONG"))
            }
            return .failure(RedisProbeError(.protocol, "unexpected reply to PING: \(describe(value))"))
        case "INFO":
            return info(value)
        default:
            break
        }
        if value.isNull {
            let message = commandName == "GET" ? "\(shown): no such key" : "\(shown): nil"
            return .success(RedisProbeResult(value: nil, message: message))
        }
        switch number(value) {
        case .some(.some(let d)):
            return .success(RedisProbeResult(value: d, message: "\(shown) = \(RESPSyntax.format(d))"))
        case .some(.none):
            return .failure(RedisProbeError(.protocol, "\(shown) returned \(describe(value)), not a number"))
        case .none:
            return .failure(RedisProbeError(.protocol, "\(shown) returned \(describe(value)), expected a number"))
        }
    }

    /// nil: not a kind of value that could be a number. .some(nil): a string that is not one.
    private func number(_ value: RESPValue) -> Double?? {
        switch value {
        case .integer(let n): return Double(n)
        case .double(let d): return d.isNaN ? .some(nil) : d
        case .boolean(let b): return b ? 1 : 0
        case .bigNumber(let s): return .some(RESPSyntax.parseNumber(s.utf8))
        case .simpleString, .bulkString, .verbatimString: return .some(value.bytes.flatMap(RESPSyntax.parseNumber))
        default: return nil
        }
    }

    private func info(_ value: RESPValue) -> Result<RedisProbeResult, RedisProbeError> {
        let field = infoField ?? ""
        let shownField = clean(field, limit: 60)
        guard let bytes = value.bytes, !value.isNull else {
            return .failure(RedisProbeError(.protocol, "unexpected reply to INFO: \(describe(value))"))
        }
        switch RedisInfo(bytes).lookup(field) {
        case .number(let d):
            return .success(RedisProbeResult(value: d, message: "INFO \(shownField) = \(RESPSyntax.format(d))"))
        case .notNumeric(let text):
            return .failure(
                RedisProbeError(.protocol, "INFO field \(shownField) is \"\(clean(text, limit: 60))\", not a number"))
        case .missing(let suggestions, let total):
            let section = command.count > 1 ? " \(clean(command[1], limit: 40))" : ""
            if total == 0 {
                return .failure(RedisProbeError(.protocol, "INFO\(section) reply has no fields (no field \(shownField))"))
            }
            let list = suggestions.map { clean($0, limit: 40) }.joined(separator: ", ")
            let more = total > suggestions.count ? ", … (\(total) in all)" : ""
            return .failure(
                RedisProbeError(
                    .protocol, "INFO\(section) reply has no field \(shownField); available: \(list)\(more)"))
        }
    }

    // MARK: - Keeping secrets out of messages

    /// Untrusted text made safe for a message: password redacted, control characters escaped,
    /// at most `limit` bytes.
    private func clean(_ text: String, limit: Int = 200) -> String {
        RESPSyntax.escape(Array(RESPSyntax.redact(text, password).utf8), limit: limit)
    }

    private func describe(_ value: RESPValue) -> String {
        let text = value.description
        return "\(value.typeName) \(clean(text, limit: 120))"
    }

    package var description: String {
        let user = username.map { "user: \(clean($0)), " } ?? ""
        let pass = password == nil ? "" : "password: ***, "
        let state =
            switch step {
            case .idle: "idle"
            case .auth, .select, .command: "awaiting reply to \(awaitedReply ?? "")"
            case .done(let action): "\(action)"
            }
        let field = infoField.map { ", field: \(clean($0))" } ?? ""
        return "RedisProbeStateMachine(\(user)\(pass)db: \(database), command: \(commandText)\(field), \(state))"
    }

    package var debugDescription: String { description }

    package var customMirror: Mirror {
        var children: [(label: String?, value: Any)] = [
            ("username", username as Any), ("password", password == nil ? "nil" : "***"),
            ("database", database), ("command", commandText), ("infoField", infoField as Any),
        ]
        children.append(("state", description))
        return Mirror(self, children: children, displayStyle: .struct)
    }
}
