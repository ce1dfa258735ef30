import Foundation
import HealthConfig
import HealthCore
import HealthDaemon
import HealthSys

// healthd's benchmark: one line per figure; where a baseline is measured in the same run the
// figure is also printed as a ratio to it. Run through scripts/bench, which starts nginx.

let args = CommandLine.arguments.dropFirst()
func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), args.index(after: i) < args.endIndex else { return nil }
    return args[args.index(after: i)]
}
// Every option takes a value, so a word right after one is no section.
let sections = Set(zip(args, [""] + args.dropLast()).filter { !$0.0.hasPrefix("--") && !$0.1.hasPrefix("--") }.map(\.0))
func wants(_ s: String) -> Bool { sections.isEmpty || sections.contains(s) }

func line(_ name: String, _ text: String) {
    FileHandle.standardOutput.write(Data("\(name): \(text)\n".utf8))  // unbuffered: figures appear as they are measured
}

if wants("windows") { WindowsBench.run() }
if wants("windows-bytes") { DaemonMemoryBench.windowBytes() }
if wants("checkpoint") { CheckpointBench.run() }
if wants("publish") { PublishBench.run() }
if wants("socket") { SocketBench.run() }
if wants("memory") {
    // --memory-cases sigma1,sigma03,interval10s,empty (default all); --memory-counts 1000,10000; --memory-seconds 60
    let counts = (option("--memory-counts") ?? "1000,10000").split(separator: ",").compactMap { Int($0) }
    let cases = Set((option("--memory-cases") ?? "").split(separator: ",").map(String.init))
    if let dir = option("--memory-prepare") {  // only writes a config and checkpoint there, for a heap profiler
        DaemonMemoryBench.prepare(dir: dir, probes: counts.first ?? 500, case: cases.first ?? "sigma1")
        exit(0)
    }
    DaemonMemoryBench.run(counts: counts, seconds: option("--memory-seconds").flatMap(Double.init) ?? 60, cases: cases)
}
if wants("scheduler") {
    guard let port = option("--nginx-port").flatMap(UInt16.init) else {
        FileHandle.standardError.write(Data("scheduler benchmark needs --nginx-port (scripts/bench starts nginx)\n".utf8))
        exit(2)
    }
    let seconds = option("--seconds").flatMap(Double.init) ?? 30
    let counts = (option("--counts") ?? "1000,10000").split(separator: ",").compactMap { Int($0) }
    let kinds = (option("--kinds") ?? "tcp,http").split(separator: ",").map(String.init)
    SchedulerBench.run(port: port, seconds: seconds, counts: counts, kinds: kinds)
}
if wants("lag") {
    guard let port = option("--nginx-port").flatMap(UInt16.init), let log = option("--nginx-arrivals-log") else {
        FileHandle.standardError.write(Data("lag benchmark needs --nginx-port and --nginx-arrivals-log (scripts/bench starts nginx)\n".utf8))
        exit(2)
    }
    let counts = (option("--counts") ?? "10000").split(separator: ",").compactMap { Int($0) }
    DaemonLagBench.run(port: port, arrivalsLog: log, counts: counts, seconds: option("--seconds").flatMap(Double.init) ?? 60)
}
if wants("blackbox") {
    guard let port = option("--nginx-port").flatMap(UInt16.init) else { exit(2) }
    let targets = Int(option("--blackbox-targets") ?? "") ?? 200, seconds = option("--seconds").flatMap(Double.init) ?? 20
    BlackboxBench.run(scheme: "http", port: port, targets: targets, seconds: seconds)
    if let tls = option("--nginx-tls-port").flatMap(UInt16.init) {
        BlackboxBench.run(scheme: "https", port: tls, targets: targets, seconds: seconds)
    }
}
if wants("protocols") {
    guard let nginx = option("--nginx-port").flatMap(UInt16.init), let pg = option("--postgres-port").flatMap(UInt16.init),
          let redis = option("--redis-port").flatMap(UInt16.init), let prom = option("--prometheus-port").flatMap(UInt16.init) else {
        FileHandle.standardError.write(Data("protocols benchmark needs --nginx-port, --postgres-port, --redis-port, --prometheus-port (scripts/bench starts them)\n".utf8))
        exit(2)
    }
    ProtocolBench.run(ProtocolBench.Servers(nginx: nginx, postgres: pg, redis: redis, prometheus: prom,
                                            nginxTLS: option("--nginx-tls-port").flatMap(UInt16.init),
                                            redisTLS: option("--redis-tls-port").flatMap(UInt16.init)),
                      count: Int(option("--protocol-count") ?? "") ?? 200, seconds: option("--seconds").flatMap(Double.init) ?? 10)
}
