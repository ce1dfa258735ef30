/// The commands a Redis probe may run: read-only, cheap (O(1), or O(N) in the keys named), and
/// answering with something that is a number or nothing. Checked when the config is loaded, and
/// again by the state machine before it sends anything.
extension RedisProbeStateMachine {
    struct CommandSpec: Sendable {
        var name: String
        var minArgs: Int
        /// nil: any number.
        var maxArgs: Int?
        var usage: String
    }

    static let allowedCommands: [CommandSpec] = [
        CommandSpec(name: "DBSIZE", minArgs: 0, maxArgs: 0, usage: "DBSIZE"),
        CommandSpec(name: "EXISTS", minArgs: 1, maxArgs: nil, usage: "EXISTS key [key ...]"),
        CommandSpec(name: "GET", minArgs: 1, maxArgs: 1, usage: "GET key"),
        CommandSpec(name: "HLEN", minArgs: 1, maxArgs: 1, usage: "HLEN key"),
        CommandSpec(name: "INFO", minArgs: 0, maxArgs: 1, usage: "INFO [section]"),
        CommandSpec(name: "LLEN", minArgs: 1, maxArgs: 1, usage: "LLEN key"),
        CommandSpec(name: "PING", minArgs: 0, maxArgs: 0, usage: "PING"),
        CommandSpec(name: "PTTL", minArgs: 1, maxArgs: 1, usage: "PTTL key"),
        CommandSpec(name: "SCARD", minArgs: 1, maxArgs: 1, usage: "SCARD key"),
        CommandSpec(name: "STRLEN", minArgs: 1, maxArgs: 1, usage: "STRLEN key"),
        CommandSpec(name: "TTL", minArgs: 1, maxArgs: 1, usage: "TTL key"),
        CommandSpec(name: "XLEN", minArgs: 1, maxArgs: 1, usage: "XLEN key"),
        CommandSpec(name: "ZCARD", minArgs: 1, maxArgs: 1, usage: "ZCARD key"),
    ]

    /// The allowed command names, for messages and documentation.
    package static var allowedCommandNames: [String] { allowedCommands.map(\.name) }

    static func spec(for name: String) -> CommandSpec? {
        let upper = asciiUppercased(name)
        return allowedCommands.first { $0.name == upper }
    }

    /// Checks a probe command against the read-only allowlist (names compared case-insensitively).
    /// Returns a message for the config error, or nil if the command may be used.
    package static func validateProbeCommand(_ argv: [String]) -> String? {
        let list = allowedCommands.map(\.name).joined(separator: ", ")
        guard let first = argv.first else {
            return "the Redis probe command is empty; use one of \(list)"
        }
        guard let spec = spec(for: first) else {
            let shown = RESPSyntax.escape(Array(asciiUppercased(first).utf8), limit: 40)
            return "Redis command \(shown) is not allowed: probes are read-only and may only run \(list)"
        }
        let given = argv.count - 1
        if given < spec.minArgs || given > (spec.maxArgs ?? Int.max) {
            let count = given == 1 ? "1 argument" : "\(given) arguments"
            return "wrong number of arguments for Redis \(spec.name): got \(count), usage: \(spec.usage)"
        }
        return nil
    }

    /// As `validateProbeCommand(_:)`, and checks the INFO field: INFO needs one (the number to
    /// extract, e.g. `connected_clients`, or `db0.keys` for a `key=value` list), other commands
    /// take none.
    package static func validateProbeCommand(_ argv: [String], infoField: String?) -> String? {
        if let message = validateProbeCommand(argv) { return message }
        let isInfo = spec(for: argv[0])?.name == "INFO"
        guard let field = infoField else {
            return isInfo ? "Redis INFO needs a field to extract (e.g. connected_clients, used_memory, db0.keys)" : nil
        }
        guard isInfo else {
            return "a field only applies to Redis INFO, not \(spec(for: argv[0])?.name ?? "")"
        }
        let bad = field.utf8.contains { $0 <= 0x20 || $0 == 0x7F || $0 == UInt8(ascii: ":") }
        if field.isEmpty || bad {
            return "Redis INFO field \"\(RESPSyntax.escape(Array(field.utf8), limit: 40))\" must be a non-empty name without spaces or colons"
        }
        return nil
    }

    static func asciiUppercased(_ s: String) -> String {
        String(decoding: s.utf8.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 }, as: UTF8.self)
    }
}
