import Foundation
import HealthConfig

/// A config file, read and validated: it is accepted or refused with issues, and a syntax error
/// says where it is.
enum ConfigFuzz {
    static func run(_ input: [UInt8]) -> FuzzOutcome {
        var outcome = FuzzOutcome()
        do {
            let config = try Config.parse(Data(input), file: "fuzz.json5")
            outcome.outputSize += config.secrets.reduce(0) { $0 + $1.utf8.count }
        } catch {
            outcome.expect(!error.issues.isEmpty, "refused without an issue")
            for issue in error.issues {
                outcome.outputSize += issue.description.utf8.count
                if issue.message.hasPrefix("not valid JSON5") {
                    outcome.expect(issue.message.hasPrefix("not valid JSON5: fuzz.json5:"), "no location in \(issue)")
                }
            }
        }
        return outcome
    }
}
