import Foundation
import HealthConfig
import HealthCore
import HealthDaemon
import HealthSys

/// N tcp and N http probes at 1 s against loopback nginx: CPU per probe, RSS, scheduling lag;
/// and a minimal blocking new-connection HTTP loop measured in the same run as the floor.
enum SchedulerBench {
    static func run(port: UInt16, seconds: Double, counts: [Int], kinds: [String]) {
        let floorMicros = httpFloor(port: port, requests: 20_000, pace: 0)
        line("floor.http_new_connection_loop", "\(fmt(floorMicros)) µs CPU per request (blocking socket, connect/GET/read/close, back to back)")
        let pacedMicros = httpFloor(port: port, requests: 5_000, pace: 1_000_000)
        line("floor.http_new_connection_loop_paced", "\(fmt(pacedMicros)) µs CPU per request (the same loop, one request per ms, sleeping between)")
        for n in counts {
            for kind in kinds {
                let probes = (0..<n).map { i in probe(kind: kind, index: i, port: port) }
                let rssBefore = residentBytes()
                guard let load = try? ProbeLoad(probes: probes) else { fatalError("event loop") }
                load.start()
                Thread.sleep(forTimeInterval: 2)  // every probe has fired once; connections warmed
                load.reset()
                let cpu0 = processCPUMicros()
                Thread.sleep(forTimeInterval: seconds)
                let cpu = Double(processCPUMicros() - cpu0)
                let f = load.figures
                let rss = residentBytes()
                load.stop()
                let perProbe = cpu / Double(max(f.results, 1))
                let lags = f.lagNanos.sorted()
                let ratio = kind == "http" ? " = \(fmt(perProbe / floorMicros))x floor, \(fmt(perProbe / pacedMicros))x paced floor" : ""
                line("scheduler.\(kind).n\(n)", "\(fmt(perProbe)) µs CPU per probe\(ratio), \(f.results) results (\(f.failures) failed) in \(fmt(seconds)) s, " +
                     "RSS \(rss >> 20) MiB (+\((rss - rssBefore) >> 20) MiB), lag p50 \(fmt(pct(lags, 0.5))) ms p99 \(fmt(pct(lags, 0.99))) ms")
            }
        }
    }

    static func probe(kind: String, index: Int, port: UInt16) -> ProbeConfig {
        let target: ProbeTarget = kind == "tcp"
            ? .tcp(host: "127.0.0.1", port: port)
            : .http(HTTPCheck(endpoint: try! Endpoint(parsing: "http://127.0.0.1:\(port)/health"), method: "GET", headers: [], statuses: [200]))
        return ProbeConfig(rules: ProbeRules(name: "\(kind)\(index)", kind: kind), interval: .seconds(1),
                           timeout: .milliseconds(900), target: target)
    }

    static func pct(_ sorted: [Int64], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return Double(sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]) / 1e6
    }

    /// CPU per request of the simplest client there is: blocking connect, write, read to EOF, close.
    static func httpFloor(port: UInt16, requests: Int, pace: Int64) -> Double {
        let request = Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var buf = [UInt8](repeating: 0, count: 16 * 1024)
        let cpu0 = processCPUMicros()
        for _ in 0..<requests {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            while read(fd, &buf, buf.count) > 0 {}
            close(fd)
            if pace > 0 {
                var ts = timespec(tv_sec: 0, tv_nsec: Int(pace))
                nanosleep(&ts, nil)
            }
        }
        return Double(processCPUMicros() - cpu0) / Double(requests)
    }
}
