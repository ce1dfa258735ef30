import Foundation
import HealthDaemon

// The verbs, views and argument parsing live in HealthDaemon's Client/, where tests reach them.
exit(Healthctl.main(Array(CommandLine.arguments.dropFirst())))
