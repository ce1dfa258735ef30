/// The code healthd runs on bytes it does not control, each behind one entry point that both the
/// libFuzzer executables (`Fuzz/<name>/main.swift`, built by `scripts/fuzz`) and the corpus replay
/// tests call. The socket's request decoder lives in HealthAPI and has its own executable.
package enum FuzzTarget: String, CaseIterable, Sendable {
    /// HTTP/1.1 responses: `HTTPResponseParser`.
    case http
    /// PostgreSQL backend messages: `PostgresMessageDecoder`.
    case postgresDecoder = "postgres-decoder"
    /// A PostgreSQL server's side of a whole probe conversation: `PostgresProbeSession`.
    case postgresSession = "postgres-session"
    /// RESP2/RESP3 replies: `RESPParser`.
    case resp
    /// A Redis server's side of a probe conversation: `RESPParser` feeding `RedisProbeStateMachine`.
    case redisProbe = "redis-probe"
    /// Nagios plugin output: `NagiosOutput`.
    case nagios
    /// Config files: `Config.parse`.
    case config
    /// The checkpoint's journal: `Monitor.restore(from:journal:)`.
    case journal

    /// Runs one input through the code under test.
    package func run(_ input: [UInt8]) -> FuzzOutcome {
        switch self {
        case .http: HTTPFuzz.run(input)
        case .postgresDecoder: PostgresDecoderFuzz.run(input)
        case .postgresSession: PostgresSessionFuzz.run(input)
        case .resp: RESPFuzz.run(input)
        case .redisProbe: RedisProbeFuzz.run(input)
        case .nagios: NagiosFuzz.run(input)
        case .config: ConfigFuzz.run(input)
        case .journal: JournalFuzz.run(input)
        }
    }

    /// The most output an input of `count` bytes may produce. Parsers return parts of their input
    /// (invalid UTF-8 repaired to U+FFFD: 3 bytes for 1) plus messages of bounded length; a config
    /// says more per byte, since each short mistake gets a sentence that names its field.
    package func outputLimit(forInputOf count: Int) -> Int {
        switch self {
        case .config: 64 * count + 64 * 1024
        default: 4 * count + 64 * 1024
        }
    }

    /// For libFuzzer: runs the input and crashes on any broken property, so that the fuzzer keeps it.
    package func check(_ input: UnsafeBufferPointer<UInt8>) {
        let outcome = run(Array(input))
        if let failure = outcome.failure(limit: outputLimit(forInputOf: input.count)) { fatalError(failure) }
    }
}

/// What one input made the code under test do.
package struct FuzzOutcome: Sendable {
    /// Bytes of everything produced: values, messages, bytes to send.
    package var outputSize = 0
    /// Promises the code broke, e.g. a result that depends on how the input was split into reads.
    package var violations: [String] = []

    /// Why this outcome is a bug, if it is one.
    package func failure(limit: Int) -> String? {
        if !violations.isEmpty { return violations.joined(separator: "\n") }
        if outputSize > limit { return "\(outputSize) bytes of output, more than the limit of \(limit)" }
        return nil
    }

    mutating func expect(_ condition: Bool, _ violation: @autoclosure () -> String) {
        if !condition { violations.append(violation()) }
    }
}
