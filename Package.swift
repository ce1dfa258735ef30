// swift-tools-version:6.0
import PackageDescription

// Layering (each target only imports those listed before it):
//   HealthCore      pure model: time, samples, windows, conditions, evaluation, snapshot, JSON writer
//   HealthProtocols pure wire codecs: HTTP/1.1 responses, Nagios plugin output
//   HealthConfig    JSON5 config → validated model (its own JSON5 parser; Foundation for files only)
//   COpenSSL        the system's libssl 3 (TLS only), with inline wrappers for its macros
//   HealthTLS       client TLS sessions over memory BIOs: no I/O, driven by whoever owns the socket
//   CHealthSys      the few Linux calls Glibc does not expose
//   HealthSys       thin syscall wrappers, the epoll event loop, non-blocking sockets, processes
//   HealthDaemon    scheduler, probes, engine, publishers, socket API, lifecycle
//   executables     healthd, healthctl, healthd-bench: argument parsing only
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
        .target(name: "HealthProtocols", dependencies: ["HealthCore"], swiftSettings: strict),
        .target(name: "HealthConfig", dependencies: ["HealthCore", "HealthProtocols"], swiftSettings: strict),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "HealthTLS", dependencies: ["COpenSSL", "HealthCore"], swiftSettings: strict),
        .target(name: "CHealthSys"),
        .target(name: "HealthSys", dependencies: ["CHealthSys"], swiftSettings: strict),
        .target(
            name: "HealthDaemon",
            dependencies: ["HealthCore", "HealthProtocols", "HealthConfig", "HealthTLS", "HealthSys"],
            swiftSettings: strict),
        .executableTarget(name: "healthd", dependencies: ["HealthDaemon"], swiftSettings: strict),
        .executableTarget(name: "healthctl", dependencies: ["HealthDaemon"], swiftSettings: strict),
        .executableTarget(name: "healthd-bench", dependencies: ["HealthDaemon"], swiftSettings: strict),
        .testTarget(name: "HealthCoreTests", dependencies: ["HealthCore"], swiftSettings: strict),
        .testTarget(name: "HealthProtocolsTests", dependencies: ["HealthProtocols"], swiftSettings: strict),
        .testTarget(name: "HealthConfigTests", dependencies: ["HealthConfig"], swiftSettings: strict),
        .testTarget(name: "HealthTLSTests", dependencies: ["HealthTLS"], swiftSettings: strict),
        .testTarget(name: "IntegrationTests", dependencies: ["HealthDaemon"], swiftSettings: strict),
        // One entry point per parser of untrusted bytes, for the fuzzers and for replaying their corpora.
        .target(name: "FuzzTargets", dependencies: ["HealthProtocols", "HealthConfig"], path: "Fuzz/FuzzTargets", swiftSettings: strict),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["FuzzTargets", "HealthDaemon"], swiftSettings: strict),
    ]
)

// The libFuzzer executables, declared only for scripts/fuzz: they link only with -sanitize=fuzzer,
// where libFuzzer supplies main.
if Context.environment["HEALTHD_FUZZ"] == "1" {
    for name in ["http", "postgres-decoder", "postgres-session", "resp", "redis-probe", "nagios", "config"] {
        package.targets.append(
            .executableTarget(name: "fuzz-\(name)", dependencies: ["FuzzTargets"], path: "Fuzz/\(name)", swiftSettings: strict))
    }
    package.targets.append(
        .executableTarget(name: "fuzz-api-request", dependencies: ["HealthDaemon"], path: "Fuzz/api-request", swiftSettings: strict))
}
