/// One problem in a config file, located by its field path (`probes[2].interval`).
package struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    package var path: String
    package var message: String
    package var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Every problem found in a config file; a config with any issue is not used.
package struct ConfigError: Error, Sendable, CustomStringConvertible {
    package var file: String
    package var issues: [ConfigIssue]
    package var description: String {
        "\(file): \(issues.count) error\(issues.count == 1 ? "" : "s")\n" + issues.map { "  \($0)" }.joined(separator: "\n")
    }
}
