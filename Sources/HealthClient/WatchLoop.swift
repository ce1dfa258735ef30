import Foundation
import HealthCore
#if canImport(Glibc)
import Glibc
#endif

/// `healthctl watch`: subscribe, and redraw on every snapshot until the daemon goes away.
/// Subscribers hear of changes only, yet latencies move on every run; so after a quiet second
/// the loop also asks for the latest snapshot on the same connection (every answer there is a
/// snapshot, so the two kinds of line need no telling apart).
struct WatchLoop {
    let session: Session
    var pollEvery = 1.0

    func run() throws(CommandFailure) -> Int32 {
        let client = try session.connect()
        let tty = isatty(1) == 1
        var view = WatchView()
        var previous: [UInt8] = []
        do {
            try client.send(#"{"op":"subscribe"}"#)
            while true {
                switch try client.readLine(timeout: pollEvery) {
                case .timedOut:
                    try client.send(#"{"op":"snapshot"}"#)
                case .closed:
                    throw CommandFailure(message: "healthd closed the connection (stopped or restarting? systemctl status healthd)", code: 3)
                case .line(let line):
                    // The same snapshot again (nothing was published since): nothing to redraw.
                    guard line != previous else { continue }
                    previous = line
                    view.ingest(try Session.document(line, verb: "watch", errorCode: 1))
                    draw(view, line, tty: tty)
                }
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure(message: "\(error)", code: 3)
        }
    }

    private func draw(_ view: WatchView, _ line: [UInt8], tty: Bool) {
        // Clearing is for terminals; a pipe or a file gets one frame after another.
        if tty { print("\u{1B}[H\u{1B}[2J", terminator: "") }
        let footer = tty ? "updated \(Terminal.now().iso8601()) · Ctrl-C quits" : nil
        print(view.render(json: line, style: session.style, footer: footer))
        if !tty { print("") }
        // stdout to a pipe is block-buffered; a watcher wants each frame as it comes.
        fflush(nil)  // every stream: naming `stdout` is not concurrency-safe in Swift 6
    }
}
