import Foundation
import HealthConfig
import HealthCore
#if canImport(Glibc)
import Glibc
#endif

/// healthctl, run: parse the command line, ask healthd, print, and pick the exit code.
/// Exit codes: 0 ok (status: healthy), 1 healthd said no or the config is invalid (status: degraded),
/// 2 usage error (status: down), 3 healthd unreachable (status: unknown, also while pending).
package enum Healthctl {
    package static func main(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32 {
        unblockStopSignals()
        let invocation: Invocation
        do {
            invocation = try HealthctlArguments.parse(arguments)
        } catch {
            printError("healthctl: \(error)")
            return 2
        }
        let session = Session(socket: invocation.socket, style: .forStdout(environment: environment), user: user(environment))
        do {
            return try session.run(invocation.command)
        } catch {
            printError("healthctl: \(error.message)")
            return error.code
        }
    }

    /// The signal mask is inherited, and some parents (test runners, supervisors) block SIGTERM and
    /// SIGINT: `watch` would then ignore Ctrl-C and kill.
    static func unblockStopSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&set, s) }
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    static func printError(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

    /// For a silence's default reason: $USER, else the account of our uid.
    static func user(_ environment: [String: String]) -> String {
        if let u = environment["USER"], !u.isEmpty { return u }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }
}

/// A command that did not work: what to print, and the exit code.
struct CommandFailure: Error {
    var message: String
    var code: Int32
}

struct Session {
    let socket: String
    let style: TerminalStyle
    let user: String
    /// Long enough for any answer healthd computes; a hung daemon should not hang scripts.
    var timeout: Double = 30

    func run(_ command: Command) throws(CommandFailure) -> Int32 {
        switch command {
        case .help(let verb):
            print(verb.flatMap(Verbs.named).map(HelpText.verb) ?? HelpText.overview())
            return 0
        case .checkConfig(let path): return checkConfig(path)
        case .watch: return try WatchLoop(session: self).run()
        default: break
        }
        guard let request = command.request(user: user) else { return 0 }
        let client = try connect()
        // status is a Nagios check: anything but an answer is UNKNOWN (3).
        let statusLike: Bool = if case .status = command { true } else { false }
        let (doc, raw) = try call(client, request, verb: command.verb, errorCode: statusLike ? 3 : 1)
        let text = String(decoding: raw, as: UTF8.self)
        let now = Terminal.now()
        switch command {
        case .status(let json):
            print(json ? text : StatusTable.render(json: raw, colour: style.colour))
            return StatusTable.exitCode(json: raw)
        case .snapshot: print(text)
        case .probe(_, let json): print(json ? text : ProbeView.render(doc, style: style, now: now))
        case .history(let h): print(h.json ? text : HistoryView.render(doc, style: style, width: Terminal.columns()))
        case .alerts(let json): print(json ? text : AlertsView.render(doc, style: style, now: now))
        case .silences(let json): print(json ? text : SilencesView.render(doc, style: style, now: now))
        case .audit(_, let json): print(json ? text : AuditView.render(doc, style: style))
        case .run(let probe):
            print("\(probe): running now; see healthctl probe \(probe) for the result")
        case .silence:
            let s = doc["silence"] as? [String: Any] ?? [:]
            let id = s["id"] as? String ?? "?"
            print("silenced \(SilencesView.summary(s, now: now)) as \(style.bold(id))\nto end it early: healthctl unsilence \(id)")
        case .unsilence(let id):
            let s = doc["silence"] as? [String: Any] ?? [:]
            print("ended silence \(id)" + (s.isEmpty ? "" : " (\((s["match"] as? [String] ?? []).joined(separator: ", ")))"))
        case .reload: print("healthd reloaded its config")
        case .watch, .checkConfig, .help: break
        }
        return 0
    }

    func connect() throws(CommandFailure) -> APIClient {
        do {
            return try APIClient(path: socket)
        } catch {
            throw CommandFailure(message: error.description, code: 3)
        }
    }

    /// Sends one request and reads its answer: the document, and its bytes as sent.
    /// A `{"error": …}` answer fails with `errorCode`, saying what to do where we can tell.
    func call(_ client: APIClient, _ request: String, verb: String, errorCode: Int32 = 1) throws(CommandFailure) -> ([String: Any], [UInt8]) {
        let raw: [UInt8]
        do {
            raw = try client.request(request, timeout: timeout)
        } catch {
            throw CommandFailure(message: error.description, code: 3)
        }
        return (try Self.document(raw, verb: verb, errorCode: errorCode), raw)
    }

    static func document(_ raw: [UInt8], verb: String, errorCode: Int32) throws(CommandFailure) -> [String: Any] {
        guard let doc = (try? JSONSerialization.jsonObject(with: Data(raw))) as? [String: Any] else {
            throw CommandFailure(message: "healthd answered something that is not a JSON object: \(String(decoding: raw.prefix(200), as: UTF8.self))", code: errorCode)
        }
        if let message = doc["error"] as? String { throw CommandFailure(message: explain(message, code: doc["code"] as? String, verb: verb), code: errorCode) }
        return doc
    }

    /// The server's message, with what to do about it.
    static func explain(_ message: String, code: String?, verb: String) -> String {
        if code == "denied" {
            return message + " — \(verb) needs an admin: root, healthd's user, or a member of socket.admin_group (ask an admin to add you)"
        }
        if message.hasPrefix("unknown op") {
            return message + " — this healthd is older than healthctl and has no \(verb); upgrade it (healthd --version)"
        }
        return message
    }

    /// `healthd check-config`'s validation, without a daemon: the same loader, the same messages.
    func checkConfig(_ path: String) -> Int32 {
        do {
            _ = try Config.load(path: path)
            print("\(path): ok")
            return 0
        } catch {
            for issue in error.issues { Healthctl.printError("\(issue)") }
            return 1
        }
    }
}
