// ProbeState in a checkpoint: every stored field in declaration order. A field added to ProbeState is appended at the
// end of both functions, with a new `Checkpoint.formatVersion`.
extension ProbeState {
    func encode(into w: inout ByteWriter) {
        w.appendOptional(health) { $0.append($1) }
        w.appendOptional(since) { $0.append($1) }
        w.appendArray(reasons) { $0.append($1) }
        w.appendVarint(consecutiveFailures)
        w.appendVarint(consecutiveSuccesses)
        w.appendOptional(lastSample) { $1.encode(into: &$0) }
        w.appendOptional(lastGoodValue) { $0.append($1) }
        w.appendOptional(lastGoodValueTime) { $0.append($1) }
        w.appendOptional(lastDetails) { $0.append($1) }
        w.appendArray(flaps.history) { $0.append($1) }
        w.append(flaps.flapping)
        w.append(failedDown)
        w.appendVarint(betterStreak)
        w.appendOptional(lastTLS) { $1.encode(into: &$0) }
    }

    init(decoding r: inout ByteReader) throws(CheckpointError) {
        self.init()
        health = try r.readOptional { r throws(CheckpointError) in try r.readHealth() }
        since = try r.readOptionalTimestamp()
        reasons = try r.readArray(max: 10_000, "reason count") { r throws(CheckpointError) in try r.readString() }
        // Counters keep counting after a restore: capped far below Int.max, so that they cannot overflow.
        consecutiveFailures = try r.readInt(max: Self.maxCounter, "consecutive failures")
        consecutiveSuccesses = try r.readInt(max: Self.maxCounter, "consecutive successes")
        lastSample = try r.readOptional { r throws(CheckpointError) in try Sample(decoding: &r) }
        lastGoodValue = try r.readOptionalDouble()
        lastGoodValueTime = try r.readOptionalTimestamp()
        lastDetails = try r.readOptional { r throws(CheckpointError) in try r.readDetails() }
        flaps.history = try r.readArray(max: FlapDetector.results, "flap history length") { r throws(CheckpointError) in
            try r.readHealth()
        }
        flaps.flapping = try r.readBool()
        failedDown = try r.readBool()
        betterStreak = try r.readInt(max: Self.maxCounter, "better streak")
        if r.version >= 2 { lastTLS = try r.readOptional { r throws(CheckpointError) in try TLSFacts(decoding: &r) } }
    }

    private static let maxCounter = 1 << 53
}

extension Sample {
    func encode(into w: inout ByteWriter) {
        w.append(time)
        w.append(latencyMs)
        w.appendOptional(value) { $0.append($1) }
        w.appendOptional(failure) { w, failure in
            w.append(failure.category.rawValue)  // by name, so reordering the enum cannot change meanings
            w.append(failure.message)
        }
        w.append(reportedHealth)
        w.appendOptional(message) { $0.append($1) }
        w.append(noData)
        w.appendOptional(details) { $0.append($1) }
        w.appendOptional(tls) { $1.encode(into: &$0) }
        w.appendOptional(timings) { $1.encode(into: &$0) }
    }

    init(decoding r: inout ByteReader) throws(CheckpointError) {
        let time = try r.readTimestamp(), latencyMs = try r.readDouble()
        let value = try r.readOptionalDouble()
        let failure = try r.readOptional { r throws(CheckpointError) in
            let name = try r.readString()
            guard let category = FailureCategory(rawValue: name) else { throw .corrupt("failure category \"\(name)\"") }
            return ProbeFailure(category, try r.readString())
        }
        let reportedHealth = try r.readHealth()
        let message = try r.readOptionalString()
        let noData = try r.readBool()
        let details = try r.readOptional { r throws(CheckpointError) in try r.readDetails() }
        var tls: TLSFacts?, timings: AttemptTimings?
        if r.version >= 2 {
            tls = try r.readOptional { r throws(CheckpointError) in try TLSFacts(decoding: &r) }
            timings = try r.readOptional { r throws(CheckpointError) in try AttemptTimings(decoding: &r) }
        }
        self.init(time: time, latencyMs: latencyMs, value: value, failure: failure, reportedHealth: reportedHealth,
                  message: message, noData: noData, details: details, tls: tls, timings: timings)
    }
}

extension ByteWriter {
    mutating func append(_ health: Health) { append(UInt8(health.rawValue)) }

    /// Detail rows: per row its fields, each a name and an optional value.
    mutating func append(_ rows: [DetailRow]) {
        appendArray(rows) { w, row in
            w.appendArray(row.fields) { w, field in
                w.append(field.name)
                w.appendOptional(field.value) { $0.append($1) }
            }
        }
    }
}

extension ByteReader {
    mutating func readHealth() throws(CheckpointError) -> Health {
        let raw = try readByte()
        guard let health = Health(rawValue: Int(raw)) else { throw .corrupt("health level \(raw)") }
        return health
    }

    mutating func readDetails() throws(CheckpointError) -> [DetailRow] {
        try readArray(max: 100_000, "detail row count") { r throws(CheckpointError) in
            DetailRow(fields: try r.readArray(max: 10_000, minBytes: 2, "detail field count") { r throws(CheckpointError) in
                DetailRow.Field(name: try r.readString(), value: try r.readOptionalString())
            })
        }
    }
}
