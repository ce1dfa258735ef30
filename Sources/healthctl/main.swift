import Foundation
import HealthDaemon

let usage = """
    usage: healthctl [--socket PATH] status [--json]  health as a table; exit 0 healthy, 1 degraded, 2 down, 3 unknown
           healthctl [--socket PATH] snapshot         print the current snapshot (JSON)
           healthctl [--socket PATH] watch            show health live, one table per change
           default socket: \(APIClient.defaultSocket)
    """

var args = Array(CommandLine.arguments.dropFirst())
var socketPath = APIClient.defaultSocket
if let i = args.firstIndex(of: "--socket") {
    guard i + 1 < args.count else { FileHandle.standardError.write(Data("--socket needs a path\n".utf8)); exit(2) }
    socketPath = args[i + 1]
    args.removeSubrange(i...(i + 1))
}

func connect(_ socketPath: String) -> APIClient {
    do { return try APIClient(path: socketPath) } catch {
        FileHandle.standardError.write(Data("healthctl: \(error)\n".utf8))
        exit(3)
    }
}

let colour = isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

switch args.first {
case "status":
    // Like a Nagios plugin, so healthctl can itself be a check.
    let client = connect(socketPath)
    guard let line = try? client.request(#"{"op":"snapshot"}"#) else { exit(3) }
    print(args.contains("--json") ? String(decoding: line, as: UTF8.self) : StatusTable.render(json: line, colour: colour))
    exit(StatusTable.exitCode(json: line))
case "snapshot":
    let client = connect(socketPath)
    guard let line = try? client.request(#"{"op":"snapshot"}"#) else { exit(3) }
    print(String(decoding: line, as: UTF8.self))
case "watch":
    let client = connect(socketPath)
    let tty = isatty(1) == 1
    do {
        try client.send(#"{"op":"subscribe"}"#)
        while let line = try client.readLine() {
            if tty { print("\u{1B}[H\u{1B}[2J", terminator: "") }
            print(StatusTable.render(json: line, colour: colour))
        }
    } catch {
        FileHandle.standardError.write(Data("healthctl: \(error)\n".utf8))
        exit(3)
    }
case "--help", "-h", nil:
    print(usage)
default:
    FileHandle.standardError.write(Data("unknown command \"\(args[0])\"\n\(usage)\n".utf8))
    exit(2)
}
