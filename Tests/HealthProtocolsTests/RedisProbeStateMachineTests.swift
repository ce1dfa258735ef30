import Testing

@testable import HealthProtocols

// MARK: - Conversations

private let secret = "Tr0ub4dor&3-hunter2"

/// One command the machine must send, and what the server answers (raw RESP, possibly several values).
struct RedisExchange: Sendable {
    var sent: [String]
    var reply: String
}

enum RedisOutcome: Sendable {
    /// `.finished` with this value and a message containing this text.
    case value(Double?, String)
    /// `.failed` with this category and a message containing all these fragments.
    case failure(RedisProbeError.Category, [String])
}

struct RedisConversationCase: Sendable, CustomTestStringConvertible {
    var name: String
    var machine: RedisProbeStateMachine
    var exchanges: [RedisExchange]
    var outcome: RedisOutcome
    var testDescription: String { name }
}

private func bulk(_ text: String) -> String { "$\(text.utf8.count)\r\n\(text)\r\n" }

private func exchange(_ sent: [String], _ reply: String) -> RedisExchange { RedisExchange(sent: sent, reply: reply) }

private let authOK = exchange(["AUTH", secret], "+OK\r\n")
private let aclAuthOK = exchange(["AUTH", "probe", secret], "+OK\r\n")

/// An excerpt of a real Redis 7.2 `INFO` reply (CRLF line ends, blank line between sections).
private let infoText = [
    "# Server", "redis_version:7.2.4", "redis_git_sha1:00000000", "redis_git_dirty:0", "redis_build_id:ab1d4a3e5d4bd1c7",
    "redis_mode:standalone", "os:Linux 6.1.0-18-amd64 x86_64", "arch_bits:64", "tcp_port:6379",
    "uptime_in_seconds:86400", "uptime_in_days:1", "",
    "# Clients", "connected_clients:12", "cluster_connections:0", "maxclients:10000",
    "client_recent_max_input_buffer:20480", "client_recent_max_output_buffer:0", "blocked_clients:2",
    "tracking_clients:0", "clients_in_timeout_table:0", "",
    "# Memory", "used_memory:1482744", "used_memory_human:1.41M", "used_memory_rss:11476992",
    "used_memory_peak:1553320", "mem_fragmentation_ratio:7.89", "",
    "# Replication", "role:master", "connected_slaves:0", "master_repl_offset:0", "",
    "# Keyspace", "db0:keys=1523,expires=12,avg_ttl=3599871", "db2:keys=7,expires=0,avg_ttl=0", "",
].joined(separator: "\r\n")

private let clientsText = [
    "# Clients", "connected_clients:3", "cluster_connections:0", "maxclients:10000", "blocked_clients:0", "",
].joined(separator: "\r\n")

private func machine(
    user: String? = nil, password: String? = nil, db: Int = 0, _ command: [String] = ["PING"], field: String? = nil
) -> RedisProbeStateMachine {
    RedisProbeStateMachine(username: user, password: password, database: db, command: command, infoField: field)
}

private let conversations: [RedisConversationCase] = [
    RedisConversationCase(
        name: "no auth, PING", machine: machine(), exchanges: [exchange(["PING"], "+PONG\r\n")],
        outcome: .value(nil, "PONG")),
    RedisConversationCase(
        name: "AUTH ok, then LLEN", machine: machine(password: secret, ["LLEN", "celery"]),
        exchanges: [authOK, exchange(["LLEN", "celery"], ":42\r\n")], outcome: .value(42, "LLEN celery = 42")),
    RedisConversationCase(
        name: "ACL user AUTH, then DBSIZE", machine: machine(user: "probe", password: secret, ["DBSIZE"]),
        exchanges: [aclAuthOK, exchange(["DBSIZE"], ":1234\r\n")], outcome: .value(1234, "DBSIZE = 1234")),
    RedisConversationCase(
        name: "empty password is still sent", machine: machine(password: ""),
        exchanges: [exchange(["AUTH", ""], "+OK\r\n"), exchange(["PING"], "+PONG\r\n")], outcome: .value(nil, "PONG")),
    RedisConversationCase(
        name: "WRONGPASS", machine: machine(user: "probe", password: secret, ["LLEN", "q"]),
        exchanges: [exchange(["AUTH", "probe", secret], "-WRONGPASS invalid username-password pair or user is disabled.\r\n")],
        outcome: .failure(.auth, ["authentication failed for ACL user 'probe'", "WRONGPASS invalid username-password pair"])),
    RedisConversationCase(
        name: "NOAUTH without a password configured", machine: machine(["LLEN", "q"]),
        exchanges: [exchange(["LLEN", "q"], "-NOAUTH Authentication required.\r\n")],
        outcome: .failure(.auth, ["requires a password and none is configured", "NOAUTH Authentication required."])),
    RedisConversationCase(
        name: "NOPERM on the command", machine: machine(user: "probe", password: secret, ["LLEN", "celery"]),
        exchanges: [
            aclAuthOK,
            exchange(["LLEN", "celery"], "-NOPERM User probe has no permissions to run the 'llen' command\r\n"),
        ],
        outcome: .failure(.auth, ["ACL user 'probe' lacks permission for LLEN celery", "NOPERM User probe"])),
    RedisConversationCase(
        name: "NOPERM on a key", machine: machine(user: "probe", password: secret, ["GET", "secret:key"]),
        exchanges: [
            aclAuthOK,
            exchange(["GET", "secret:key"], "-NOPERM No permissions to access a key\r\n"),
        ],
        outcome: .failure(.auth, ["lacks permission for GET secret:key"])),
    RedisConversationCase(
        name: "WRONGTYPE", machine: machine(["LLEN", "celery"]),
        exchanges: [exchange(["LLEN", "celery"], "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")],
        outcome: .failure(.protocol, ["LLEN celery: the key holds a different type of value than LLEN reads", "WRONGTYPE"])),
    RedisConversationCase(
        name: "GET of a missing key: no value, no failure", machine: machine(["GET", "last_run"]),
        exchanges: [exchange(["GET", "last_run"], "$-1\r\n")], outcome: .value(nil, "GET last_run: no such key")),
    RedisConversationCase(
        name: "GET of a missing key in RESP3", machine: machine(["GET", "last_run"]),
        exchanges: [exchange(["GET", "last_run"], "_\r\n")], outcome: .value(nil, "no such key")),
    RedisConversationCase(
        name: "GET of a numeric string", machine: machine(["GET", "jobs:done"]),
        exchanges: [exchange(["GET", "jobs:done"], bulk("1700000000"))], outcome: .value(1_700_000_000, "GET jobs:done = 1700000000")),
    RedisConversationCase(
        name: "GET of a decimal string", machine: machine(["GET", "load"]),
        exchanges: [exchange(["GET", "load"], bulk("-3.25"))], outcome: .value(-3.25, "= -3.25")),
    RedisConversationCase(
        name: "GET of a non-numeric string", machine: machine(["GET", "status"]),
        exchanges: [exchange(["GET", "status"], bulk("degraded"))],
        outcome: .failure(.protocol, ["GET status returned bulk string \"degraded\", not a number"])),
    RedisConversationCase(
        name: "GET of a number with spaces is not a number", machine: machine(["GET", "n"]),
        exchanges: [exchange(["GET", "n"], bulk(" 12"))], outcome: .failure(.protocol, ["not a number"])),
    RedisConversationCase(
        name: "EXISTS of several keys", machine: machine(["exists", "a", "b", "c"]),
        exchanges: [exchange(["exists", "a", "b", "c"], ":2\r\n")], outcome: .value(2, "EXISTS a b c = 2")),
    RedisConversationCase(
        name: "TTL of a key without expiry", machine: machine(["TTL", "lock"]),
        exchanges: [exchange(["TTL", "lock"], ":-1\r\n")], outcome: .value(-1, "TTL lock = -1")),
    RedisConversationCase(
        name: "SELECT db", machine: machine(db: 3, ["SCARD", "workers"]),
        exchanges: [exchange(["SELECT", "3"], "+OK\r\n"), exchange(["SCARD", "workers"], ":5\r\n")],
        outcome: .value(5, "SCARD workers = 5")),
    RedisConversationCase(
        name: "AUTH, SELECT, then the command", machine: machine(user: "probe", password: secret, db: 2, ["ZCARD", "delayed"]),
        exchanges: [aclAuthOK, exchange(["SELECT", "2"], "+OK\r\n"), exchange(["ZCARD", "delayed"], ":17\r\n")],
        outcome: .value(17, "ZCARD delayed = 17")),
    RedisConversationCase(
        name: "SELECT of a database that does not exist", machine: machine(db: 99, ["DBSIZE"]),
        exchanges: [exchange(["SELECT", "99"], "-ERR DB index is out of range\r\n")],
        outcome: .failure(.protocol, ["SELECT 99 failed: ERR DB index is out of range"])),
    RedisConversationCase(
        name: "INFO with a field", machine: machine(["INFO"], field: "connected_clients"),
        exchanges: [exchange(["INFO"], bulk(infoText))], outcome: .value(12, "INFO connected_clients = 12")),
    RedisConversationCase(
        name: "INFO section with a field", machine: machine(["INFO", "clients"], field: "connected_clients"),
        exchanges: [exchange(["INFO", "clients"], bulk(clientsText))], outcome: .value(3, "INFO connected_clients = 3")),
    RedisConversationCase(
        name: "INFO decimal field", machine: machine(["INFO", "memory"], field: "mem_fragmentation_ratio"),
        exchanges: [exchange(["INFO", "memory"], bulk(infoText))], outcome: .value(7.89, "= 7.89")),
    RedisConversationCase(
        name: "INFO keyspace subfield", machine: machine(["INFO", "keyspace"], field: "db0.keys"),
        exchanges: [exchange(["INFO", "keyspace"], bulk(infoText))], outcome: .value(1523, "INFO db0.keys = 1523")),
    RedisConversationCase(
        name: "INFO field names are case-insensitive", machine: machine(["INFO"], field: "Used_Memory"),
        exchanges: [exchange(["INFO"], bulk(infoText))], outcome: .value(1_482_744, "= 1482744")),
    RedisConversationCase(
        name: "INFO missing field lists some that exist", machine: machine(["INFO"], field: "connected_client"),
        exchanges: [exchange(["INFO"], bulk(infoText))],
        outcome: .failure(.protocol, ["INFO reply has no field connected_client", "available: connected_clients", "(28 in all)"])),
    RedisConversationCase(
        name: "INFO missing keyspace subfield", machine: machine(["INFO", "keyspace"], field: "db2.key"),
        exchanges: [exchange(["INFO", "keyspace"], bulk(infoText))],
        outcome: .failure(.protocol, ["no field db2.key", "db2.keys, db2.expires, db2.avg_ttl"])),
    RedisConversationCase(
        name: "INFO field that is not a number", machine: machine(["INFO", "replication"], field: "role"),
        exchanges: [exchange(["INFO", "replication"], bulk(infoText))],
        outcome: .failure(.protocol, ["INFO field role is \"master\", not a number"])),
    RedisConversationCase(
        name: "INFO with a human-readable field", machine: machine(["INFO"], field: "used_memory_human"),
        exchanges: [exchange(["INFO"], bulk(infoText))], outcome: .failure(.protocol, ["\"1.41M\", not a number"])),
    RedisConversationCase(
        name: "INFO of an empty section", machine: machine(["INFO", "nosuchsection"], field: "x"),
        exchanges: [exchange(["INFO", "nosuchsection"], "$0\r\n\r\n")], outcome: .failure(.protocol, ["no fields"])),
    RedisConversationCase(
        name: "INFO as a RESP3 verbatim string", machine: machine(["INFO", "clients"], field: "blocked_clients"),
        exchanges: [exchange(["INFO", "clients"], "=\(clientsText.utf8.count + 4)\r\ntxt:\(clientsText)\r\n")],
        outcome: .value(0, "INFO blocked_clients = 0")),
    RedisConversationCase(
        name: "INFO answered with an integer", machine: machine(["INFO"], field: "x"),
        exchanges: [exchange(["INFO"], ":1\r\n")], outcome: .failure(.protocol, ["unexpected reply to INFO: integer 1"])),
    RedisConversationCase(
        name: "RESP3 double", machine: machine(["GET", "ratio"]),
        exchanges: [exchange(["GET", "ratio"], ",0.75\r\n")], outcome: .value(0.75, "GET ratio = 0.75")),
    RedisConversationCase(
        name: "RESP3 infinite double", machine: machine(["GET", "x"]),
        exchanges: [exchange(["GET", "x"], ",-inf\r\n")], outcome: .value(-.infinity, "GET x = -inf")),
    RedisConversationCase(
        name: "RESP3 NaN is not a value", machine: machine(["GET", "x"]),
        exchanges: [exchange(["GET", "x"], ",nan\r\n")], outcome: .failure(.protocol, ["GET x returned double nan, not a number"])),
    RedisConversationCase(
        name: "RESP3 boolean", machine: machine(["EXISTS", "lock"]),
        exchanges: [exchange(["EXISTS", "lock"], "#t\r\n")], outcome: .value(1, "EXISTS lock = 1")),
    RedisConversationCase(
        name: "RESP3 big number", machine: machine(["GET", "big"]),
        exchanges: [exchange(["GET", "big"], "(12345678901234567890\r\n")], outcome: .value(1.2345678901234567890e19, "GET big")),
    RedisConversationCase(
        name: "RESP3 map where a number is expected", machine: machine(["DBSIZE"]),
        exchanges: [exchange(["DBSIZE"], "%1\r\n+keys\r\n:10\r\n")],
        outcome: .failure(.protocol, ["DBSIZE returned map {+keys: 10}, expected a number"])),
    RedisConversationCase(
        name: "array where a number is expected", machine: machine(["HLEN", "h"]),
        exchanges: [exchange(["HLEN", "h"], "*1\r\n:1\r\n")], outcome: .failure(.protocol, ["expected a number"])),
    RedisConversationCase(
        name: "RESP3 push before the reply is skipped", machine: machine(["XLEN", "events"]),
        exchanges: [exchange(["XLEN", "events"], ">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nfoo\r\n:8\r\n")],
        outcome: .value(8, "XLEN events = 8")),
    RedisConversationCase(
        name: "RESP3 attribute on the reply is ignored", machine: machine(["STRLEN", "blob"]),
        exchanges: [exchange(["STRLEN", "blob"], "|1\r\n+ttl\r\n:60\r\n:512\r\n")], outcome: .value(512, "STRLEN blob = 512")),
    RedisConversationCase(
        name: "old Redis: invalid password", machine: machine(password: secret),
        exchanges: [exchange(["AUTH", secret], "-ERR invalid password\r\n")],
        outcome: .failure(.auth, ["wrong password", "ERR invalid password"])),
    RedisConversationCase(
        name: "old Redis: AUTH but no password set", machine: machine(password: secret),
        exchanges: [exchange(["AUTH", secret], "-ERR Client sent AUTH, but no password is set\r\n")],
        outcome: .failure(.auth, ["the server does not require one", "no password is set"])),
    RedisConversationCase(
        name: "Redis 6+: AUTH but no password configured", machine: machine(password: secret),
        exchanges: [
            exchange(
                ["AUTH", secret],
                "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n"
            )
        ],
        outcome: .failure(.auth, ["the server does not require one"])),
    RedisConversationCase(
        name: "Redis 5 does not know ACL users", machine: machine(user: "probe", password: secret),
        exchanges: [exchange(["AUTH", "probe", secret], "-ERR wrong number of arguments for 'auth' command\r\n")],
        outcome: .failure(.auth, ["AUTH failed: ERR wrong number of arguments for 'auth' command"])),
    RedisConversationCase(
        name: "AUTH renamed away: the echoed password is redacted", machine: machine(password: secret),
        exchanges: [
            exchange(["AUTH", secret], "-ERR unknown command 'AUTH', with args beginning with: '\(secret)' \r\n")
        ],
        outcome: .failure(.auth, ["AUTH failed: ERR unknown command 'AUTH', with args beginning with: '***'"])),
    RedisConversationCase(
        name: "a truncated echo of the password is redacted too", machine: machine(password: secret),
        exchanges: [exchange(["AUTH", secret], "-ERR unknown command 'AUTH', with args beginning with: 'Tr0ub4dor' \r\n")],
        outcome: .failure(.auth, ["'***'"])),
    RedisConversationCase(
        name: "an echo server repeats AUTH back", machine: machine(password: secret),
        exchanges: [exchange(["AUTH", secret], String(decoding: RESPCommand.encode(["AUTH", secret]), as: UTF8.self))],
        outcome: .failure(.protocol, ["unexpected reply to AUTH: array [\"AUTH\", \"***\"]"])),
    RedisConversationCase(
        name: "unexpected reply to AUTH", machine: machine(password: secret),
        exchanges: [exchange(["AUTH", secret], ":1\r\n")], outcome: .failure(.protocol, ["unexpected reply to AUTH: integer 1"])),
    RedisConversationCase(
        name: "unexpected reply to SELECT", machine: machine(db: 1),
        exchanges: [exchange(["SELECT", "1"], "+QUEUED\r\n")],
        outcome: .failure(.protocol, ["unexpected reply to SELECT 1: simple string +QUEUED"])),
    RedisConversationCase(
        name: "unexpected reply to PING", machine: machine(),
        exchanges: [exchange(["PING"], "+OK\r\n")], outcome: .failure(.protocol, ["unexpected reply to PING: simple string +OK"])),
    RedisConversationCase(
        name: "server still loading", machine: machine(["LLEN", "q"]),
        exchanges: [exchange(["LLEN", "q"], "-LOADING Redis is loading the dataset in memory\r\n")],
        outcome: .failure(.protocol, ["LLEN q failed: LOADING Redis is loading the dataset in memory"])),
    RedisConversationCase(
        name: "too many clients", machine: machine(),
        exchanges: [exchange(["PING"], "-ERR max number of clients reached\r\n")],
        outcome: .failure(.protocol, ["PING failed: ERR max number of clients reached"])),
    RedisConversationCase(
        name: "RESP3 bulk error", machine: machine(["GET", "k"]),
        exchanges: [exchange(["GET", "k"], "!21\r\nSYNTAX invalid syntax\r\n")],
        outcome: .failure(.protocol, ["GET k failed: SYNTAX invalid syntax"])),
    RedisConversationCase(
        name: "control characters in server text are escaped", machine: machine(),
        exchanges: [exchange(["PING"], "-ERR bad\u{1B}[31m\r\n")], outcome: .failure(.protocol, ["ERR bad\\x1B[31m"])),
]

@Suite struct RedisProbeStateMachineTests {
    /// Runs a conversation; every action along the way, the machine's descriptions at each step,
    /// and the outcome. Records an issue when the machine sends something other than expected.
    private static func run(_ c: RedisConversationCase) throws -> (actions: [RedisProbeStateMachine.Action], texts: [String]) {
        var m = c.machine
        var actions: [RedisProbeStateMachine.Action] = []
        var texts: [String] = []
        func observe(_ action: RedisProbeStateMachine.Action) {
            actions.append(action)
            var dumped = ""
            dump(action, to: &dumped)
            dump(m, to: &dumped)
            texts += [String(describing: action), String(reflecting: action), dumped, String(describing: m), String(reflecting: m)]
            if let awaited = m.awaitedReply { texts.append(awaited) }
        }
        var action = m.start()
        observe(action)
        for ex in c.exchanges {
            guard case .send(let bytes) = action else {
                Issue.record("expected to send \(ex.sent), got \(action)")
                return (actions, texts)
            }
            #expect(bytes == RESPCommand.encode(ex.sent), "expected to send \(ex.sent)")
            var parser = RESPParser()
            var buffer = Array(ex.reply.utf8)
            while let value = try parser.next(from: &buffer) {
                action = m.receive(value)
                observe(action)
                if case .wait = action { continue }
                break
            }
            #expect(buffer.isEmpty, "the whole reply is used")
        }
        #expect(m.isDone)
        #expect(m.awaitedReply == nil)
        return (actions, texts)
    }

    @Test(arguments: conversations)
    func conversation(_ c: RedisConversationCase) throws {
        let (actions, _) = try Self.run(c)
        guard let last = actions.last else { return }
        switch (c.outcome, last) {
        case (.value(let expected, let fragment), .finished(let result)):
            #expect(result.value == expected)
            #expect(result.message.contains(fragment), "\(result.message)")
        case (.failure(let category, let fragments), .failed(let error)):
            #expect(error.category == category, "\(error)")
            for fragment in fragments { #expect(error.message.contains(fragment), "\(error.message)") }
        default:
            Issue.record("expected \(c.outcome), got \(last)")
        }
    }

    @Test(arguments: conversations)
    func passwordNeverAppearsInMessagesOrDescriptions(_ c: RedisConversationCase) throws {
        let (actions, texts) = try Self.run(c)
        var all = texts
        for action in actions {
            switch action {
            case .finished(let result): all += [result.message, result.description]
            case .failed(let error): all += [error.message, error.description, String(reflecting: error)]
            case .send, .wait: break
            }
        }
        for text in all {
            #expect(!text.contains(secret), "\(text)")
            #expect(!text.contains(String(secret.prefix(8))), "\(text)")
        }
    }

    @Test func afterTheEndEveryCallRepeatsTheOutcome() {
        var m = machine(["DBSIZE"])
        _ = m.start()
        let done = m.receive(.integer(5))
        #expect(done == .finished(RedisProbeResult(value: 5, message: "DBSIZE = 5")))
        #expect(m.receive(.integer(6)) == done)
        #expect(m.connectionClosed() == done)
        #expect(m.parseFailed(RESPError(.invalidType, "x")) == done)
        #expect(m.start() == done)
    }

    @Test func connectionClosedMidConversation() {
        var m = machine(password: secret, ["LLEN", "q"])
        _ = m.start()
        #expect(m.awaitedReply == "AUTH")
        guard case .failed(let error) = m.connectionClosed() else { return #expect(Bool(false)) }
        #expect(error == RedisProbeError(.protocol, "the server closed the connection before replying to AUTH"))
    }

    @Test func invalidReplyBytes() {
        var m = machine(db: 4)
        _ = m.start()
        let action = m.parseFailed(RESPError(.invalidType, "unexpected byte 'H' where a value starts; not a Redis server?"))
        guard case .failed(let error) = action else { return #expect(Bool(false)) }
        #expect(error.category == .protocol)
        #expect(error.message == "invalid reply to SELECT 4: RESP invalidType: unexpected byte 'H' where a value starts; not a Redis server?")
    }

    @Test func dataBeforeAnyCommand() {
        var m = machine()
        guard case .failed(let error) = m.receive(.error("ERR max number of clients reached")) else {
            return #expect(Bool(false))
        }
        #expect(error.message.contains("before any command"))
    }

    struct StartCase: Sendable, CustomTestStringConvertible {
        var name: String
        var machine: RedisProbeStateMachine
        var category: RedisProbeError.Category
        var fragment: String
        var testDescription: String { name }
    }

    static let unusableSettings: [StartCase] = [
        StartCase(name: "a write command", machine: machine(["SET", "k", "v"]), category: .protocol, fragment: "read-only"),
        StartCase(name: "INFO without a field", machine: machine(["INFO"]), category: .protocol, fragment: "needs a field"),
        StartCase(name: "a negative database", machine: machine(db: -1), category: .protocol, fragment: "negative"),
        StartCase(name: "a user without a password", machine: machine(user: "probe"), category: .auth, fragment: "without a password"),
        StartCase(name: "an empty user name", machine: machine(user: "", password: secret), category: .auth, fragment: "empty"),
    ]

    @Test(arguments: unusableSettings)
    func unusableSettingsFailBeforeSendingAnything(_ c: StartCase) {
        var m = c.machine
        guard case .failed(let error) = m.start() else { return #expect(Bool(false), "sent something") }
        #expect(error.category == c.category)
        #expect(error.message.contains(c.fragment), "\(error.message)")
        #expect(m.isDone)
    }

    @Test func defaultsArePingOnDatabaseZeroWithoutAuth() {
        var m = RedisProbeStateMachine()
        #expect(m.start() == .send(Array("*1\r\n$4\r\nPING\r\n".utf8)))
        #expect(m.awaitedReply == "PING")
        #expect(RedisProbeStateMachine.quit == Array("*1\r\n$4\r\nQUIT\r\n".utf8))
    }

    @Test func descriptionsHideThePassword() {
        var m = machine(user: "probe", password: secret, db: 1, ["LLEN", "q"])
        #expect(m.description == "RedisProbeStateMachine(user: probe, password: ***, db: 1, command: LLEN q, idle)")
        let first = m.start()
        #expect(first.description == "send(\(RESPCommand.encode(["AUTH", "probe", secret]).count) bytes)")
        #expect(m.description.hasSuffix("awaiting reply to AUTH)"))
        #expect(RedisProbeError(.auth, "x").description == "redis auth error: x")
    }
}
