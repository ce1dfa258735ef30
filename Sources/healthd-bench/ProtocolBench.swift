import Foundation
import HealthConfig
import HealthCore
import HealthDaemon
import HealthSys

/// CPU per probe and probes per second for each protocol probe against the local servers; a TLS
/// case also as a ratio to its plain twin (the case named in `baseline`), measured in the same run.
enum ProtocolBench {
    struct Servers {
        var nginx: UInt16, postgres: UInt16, redis: UInt16, prometheus: UInt16
        var nginxTLS: UInt16?, redisTLS: UInt16?
    }

    static func run(_ s: Servers, count: Int, seconds: Double) {
        var cases: [(String, ProbeTarget)] = [
            ("http", .http(HTTPCheck(endpoint: endpoint("http://127.0.0.1:\(s.nginx)/health")))),
            ("postgres.select1.trust", .postgres(pg(s, user: "trust_user", password: nil, query: nil))),
            ("postgres.value.trust", .postgres(pg(s, user: "trust_user", password: nil,
                                                  query: "SELECT avg((status = 'completed')::int) FROM enhancement_history"))),
            ("postgres.select1.scram", .postgres(pg(s, user: "scram_user", password: "scram-secret", query: nil))),
            ("redis.ping", .redis(RedisCheck(endpoint: endpoint("redis://127.0.0.1:\(s.redis)"), user: nil,
                                             password: "redis-secret", database: 0, command: ["PING"], field: nil))),
            ("redis.llen", .redis(RedisCheck(endpoint: endpoint("redis://127.0.0.1:\(s.redis)"), user: nil,
                                             password: "redis-secret", database: 0, command: ["LLEN", "celery"], field: nil))),
            ("prometheus", .prometheus(PrometheusCheck(endpoint: endpoint("http://127.0.0.1:\(s.prometheus)"),
                                                       query: "sum(up)", requireData: false))),
            ("postgres.select1.scram.tls", .postgres(pg(s, user: "scram_user", password: "scram-secret", query: nil, sslMode: .require))),
        ]
        if let port = s.nginxTLS {
            var https = HTTPCheck(endpoint: endpoint("https://127.0.0.1:\(port)/health"))
            https.tls = TLSSettings()
            cases.append(("http.tls", .http(https)))
        }
        if let port = s.redisTLS {
            var rediss = RedisCheck(endpoint: endpoint("rediss://127.0.0.1:\(port)"), user: nil, password: "redis-secret",
                                    database: 0, command: ["PING"], field: nil)
            rediss.tls = TLSSettings()
            cases.append(("redis.ping.tls", .redis(rediss)))
        }
        var perProbe: [String: Double] = [:]
        for (name, target) in cases {
            let probes = (0..<count).map { i in
                ProbeConfig(rules: ProbeRules(name: "\(name)\(i)", kind: name), interval: .seconds(1),
                            timeout: .milliseconds(900), target: target)
            }
            guard let load = try? ProbeLoad(probes: probes) else { fatalError("event loop") }
            load.start()
            Thread.sleep(forTimeInterval: 1.5)
            load.reset()
            let cpu0 = processCPUMicros()
            Thread.sleep(forTimeInterval: seconds)
            let cpu = Double(processCPUMicros() - cpu0)
            let f = load.figures
            load.stop()
            let micros = cpu / Double(max(f.results, 1))
            perProbe[name] = micros
            let plain = name.hasSuffix(".tls") ? perProbe[String(name.dropLast(4))] : nil
            line("protocol.\(name).n\(count)", "\(fmt(micros)) µs CPU per probe, " +
                 "\(fmt(Double(f.results) / seconds)) probes/s (\(f.failures) failed)"
                 + (plain.map { ", \(fmt(micros / $0))× its plain twin" } ?? ""))
        }
    }

    private static func endpoint(_ url: String) -> Endpoint { try! Endpoint(parsing: url) }

    private static func pg(_ s: Servers, user: String, password: String?, query: String?,
                           sslMode: PostgresCheck.SSLMode = .disable) -> PostgresCheck {
        var c = PostgresCheck(endpoint: endpoint("postgres://127.0.0.1:\(s.postgres)/app"), user: user, password: password,
                              database: "app", sslMode: sslMode, query: query, details: nil)
        c.tls.verifyChain = false  // libpq's require
        return c
    }
}
