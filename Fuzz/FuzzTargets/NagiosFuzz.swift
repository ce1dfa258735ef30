import HealthProtocols

/// A plugin's output, parsed as bytes (and as text when it is UTF-8, which must agree), with every
/// perfdata threshold read as a range and applied.
enum NagiosFuzz {
    static func run(_ input: [UInt8]) -> FuzzOutcome {
        var outcome = FuzzOutcome()
        let output = NagiosOutput(parsing: input)
        if let text = String(validating: input, as: UTF8.self) {
            let fromText = NagiosOutput(parsing: text)
            outcome.expect(fromText == output, "bytes give \(output), text gives \(fromText)")
        }
        outcome.expect(!output.message.contains("\n"), "a line break in the message \(output.message)")
        outcome.outputSize += output.message.utf8.count + output.longText.reduce(0) { $0 + $1.utf8.count }
        for datum in output.perfdata {
            outcome.expect(datum.value.isFinite, "perfdata \(datum.label) has value \(datum.value)")
            outcome.outputSize += datum.label.utf8.count + datum.unit.utf8.count + (datum.warn?.utf8.count ?? 0)
                + (datum.crit?.utf8.count ?? 0) + 16
            for range in [datum.warnRange, datum.critRange].compactMap({ $0 }) {
                outcome.expect(range.start <= range.end, "range \(range) is empty")
                _ = range.alerts(datum.value)
            }
        }
        return outcome
    }
}
