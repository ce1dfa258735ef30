import HealthProtocols

/// Server bytes parsed as a stream of RESP replies, attributes skipped and attached, with the
/// default limits and tiny ones: the same values and error whole and split into reads.
enum RESPFuzz {
    static let tiny = RESPParser.Limits(maxBulkLength: 8, maxAggregateCount: 4, maxDepth: 3, maxLineLength: 8)

    static func run(_ input: [UInt8]) -> FuzzOutcome {
        var outcome = FuzzOutcome()
        for (limits, attributes) in [(RESPParser.Limits(), RESPParser.AttributeHandling.skip), (.init(), .attach), (tiny, .attach)] {
            let whole = parse([input[...]], limits, attributes)
            let split = parse(Chunks.split(input), limits, attributes)
            outcome.expect(whole.values == split.values && whole.error == split.error,
                           "\(limits), \(attributes): whole \(whole), split \(split)")
            outcome.outputSize += whole.values.reduce(0) { $0 + $1.description.utf8.count } + (whole.error?.description.utf8.count ?? 0)
        }
        return outcome
    }

    /// Every value, then the first error (if any).
    static func parse(
        _ chunks: [ArraySlice<UInt8>], _ limits: RESPParser.Limits, _ attributes: RESPParser.AttributeHandling
    ) -> (values: [RESPValue], error: RESPError?) {
        var parser = RESPParser(limits: limits, attributes: attributes)
        var buffer: [UInt8] = []
        var values: [RESPValue] = []
        do throws(RESPError) {
            for chunk in chunks {
                buffer += chunk
                while let value = try parser.next(from: &buffer) { values.append(value) }
            }
            return (values, nil)
        } catch {
            return (values, error)
        }
    }
}
