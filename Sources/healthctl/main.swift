import Foundation
import HealthClient

// The verbs, views and argument parsing live in the HealthClient target, where tests reach them.
exit(Healthctl.main(Array(CommandLine.arguments.dropFirst())))
