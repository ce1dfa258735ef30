// swift-tools-version:6.0
import PackageDescription

// Layering (each target only imports those listed before it):
//   HealthCore      pure model: time, samples, windows, conditions, evaluation, snapshot, JSON writer
//   HealthRender    pure renderers of a snapshot and its chart series: Prometheus text, the status page
//   HealthProtocols pure wire codecs: HTTP/1.1 responses, Nagios plugin output
//   HealthAPI       pure socket protocol: ops, requests, answers, the line codec (server and client)
//   HealthConfig    JSON5 config → validated model (its own JSON5 parser; Foundation for files only)
//   COpenSSL        the system's libssl 3 (TLS only), with inline wrappers for its macros
//   HealthTLS       client TLS sessions over memory BIOs: no I/O, driven by whoever owns the socket
//   CHealthSys      the few Linux calls Glibc does not expose
//   HealthSys       thin syscall wrappers, the epoll event loop, non-blocking sockets, processes
//   HealthDaemon    scheduler, probes, engine, publishers, socket API, lifecycle
//   HealthClient    healthctl: arguments, the blocking socket client, terminal views (no engine, probes or TLS)
//   executables     healthd, healthctl, healthd-bench: argument parsing only (healthctl links HealthClient alone)
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "healthd",
    products: [
        .executable(name: "healthd", targets: ["healthd"]),
        .executable(name: "healthctl", targets: ["healthctl"]),
        .executable(name: "healthd-bench", targets: ["healthd-bench"]),
    ],
    targets: [
        .target(name: "HealthCore", swiftSettings: strict),
        .target(name: "HealthRender", dependencies: ["HealthCore"], swiftSettings: strict),
        .target(name: "HealthProtocols", dependencies: ["HealthCore"], swiftSettings: strict),
        .target(name: "HealthAPI", dependencies: ["HealthCore"], swiftSettings: strict),
        .target(name: "HealthConfig", dependencies: ["HealthCore", "HealthProtocols"], swiftSettings: strict),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "HealthTLS", dependencies: ["COpenSSL", "HealthCore"], swiftSettings: strict),
        .target(name: "CHealthSys"),
        .target(name: "HealthSys", dependencies: ["CHealthSys"], swiftSettings: strict),
        .target(
            name: "HealthDaemon",
            dependencies: ["HealthCore", "HealthAPI", "HealthRender", "HealthProtocols", "HealthConfig", "HealthTLS", "HealthSys"],
            swiftSettings: strict),
        .target(
            name: "HealthClient", dependencies: ["HealthCore", "HealthAPI", "HealthConfig", "HealthSys"], swiftSettings: strict),
        .executableTarget(name: "healthd", dependencies: ["HealthDaemon", "HealthSys"], swiftSettings: strict),
        .executableTarget(name: "healthctl", dependencies: ["HealthClient"], swiftSettings: strict),
        .executableTarget(name: "healthd-bench", dependencies: ["HealthDaemon", "HealthClient"], swiftSettings: strict),
        .testTarget(name: "HealthCoreTests", dependencies: ["HealthCore", "HealthRender"], swiftSettings: strict),
        .testTarget(name: "HealthRenderTests", dependencies: ["HealthRender"], swiftSettings: strict),
        .testTarget(name: "HealthProtocolsTests", dependencies: ["HealthProtocols"], swiftSettings: strict),
        .testTarget(name: "HealthAPITests", dependencies: ["HealthAPI"], swiftSettings: strict),
        .testTarget(name: "HealthConfigTests", dependencies: ["HealthConfig"], swiftSettings: strict),
        .testTarget(name: "HealthTLSTests", dependencies: ["HealthTLS"], swiftSettings: strict),
        .testTarget(name: "HealthSysTests", dependencies: ["HealthSys"], swiftSettings: strict),
        .testTarget(name: "HealthClientTests", dependencies: ["HealthClient"], swiftSettings: strict),
        // The engine and scheduler driven by a manual clock: no sleeps, no sockets.
        .testTarget(name: "HealthDaemonTests", dependencies: ["HealthDaemon"], swiftSettings: strict),
        .testTarget(name: "IntegrationTests", dependencies: ["HealthDaemon", "HealthClient", "HealthRender"], swiftSettings: strict),
        // One entry point per parser of untrusted bytes, for the fuzzers and for replaying their corpora.
        .target(name: "FuzzTargets", dependencies: ["HealthProtocols", "HealthConfig", "HealthCore"], path: "Fuzz/FuzzTargets", swiftSettings: strict),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["FuzzTargets", "HealthAPI"], swiftSettings: strict),
    ]
)

// The libFuzzer executables, declared only for scripts/fuzz: they link only with -sanitize=fuzzer,
// where libFuzzer supplies main.
if Context.environment["HEALTHD_FUZZ"] == "1" {
    for name in ["http", "postgres-decoder", "postgres-session", "resp", "redis-probe", "nagios", "config", "journal"] {
        package.targets.append(
            .executableTarget(name: "fuzz-\(name)", dependencies: ["FuzzTargets"], path: "Fuzz/\(name)", swiftSettings: strict))
    }
    package.targets.append(
        .executableTarget(name: "fuzz-api-request", dependencies: ["HealthAPI"], path: "Fuzz/api-request", swiftSettings: strict))
}
