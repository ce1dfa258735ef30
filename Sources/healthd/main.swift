import Foundation
import HealthConfig
import HealthDaemon
import HealthSys

let usage = """
    usage: healthd [--config FILE]        run the daemon (default \(Config.defaultPath))
           healthd check-config FILE      validate a config: exit 0 if valid, else 1 with each error on stderr
           healthd --help | --version
    """

func fail(_ message: String, code: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(code)
}

var args = Array(CommandLine.arguments.dropFirst())
switch args.first {
case "--help", "-h":
    print(usage)
case "--version":
    print("healthd \(healthdVersion)")
case "check-config":
    guard args.count == 2 else { fail(usage) }
    do {
        let config = try Config.load(path: args[1])
        print("\(args[1]): valid, \(config.probes.count) probes, \(config.components.count) components")
    } catch {
        for issue in error.issues { FileHandle.standardError.write(Data("\(issue)\n".utf8)) }
        exit(1)
    }
default:
    limitMallocArenas()
    var path = Config.defaultPath
    while let arg = args.first {
        args.removeFirst()
        switch arg {
        case "--config", "-c":
            guard let p = args.first else { fail("--config needs a file\n\(usage)") }
            path = p
            args.removeFirst()
        default: fail("unknown argument \"\(arg)\"\n\(usage)")
        }
    }
    let daemon: Daemon
    do {
        daemon = try Daemon(configPath: path)
    } catch let error as ConfigError {
        fail("healthd: invalid config, not starting\n\(error)", code: 1)
    } catch {
        fail("healthd: cannot start: \(error)", code: 1)
    }
    exit(await daemon.run())
}
