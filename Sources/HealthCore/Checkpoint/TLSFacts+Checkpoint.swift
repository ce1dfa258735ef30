// A sample's TLS facts and timings in a checkpoint: every stored field in declaration order.
extension TLSFacts {
    func encode(into w: inout ByteWriter) {
        w.append(version)
        w.append(cipher)
        w.append(subject)
        w.append(issuer)
        w.appendArray(dnsNames) { $0.append($1) }
        w.append(notAfter)
    }

    init(decoding r: inout ByteReader) throws(CheckpointError) {
        let version = try r.readString(), cipher = try r.readString()
        let subject = try r.readString(), issuer = try r.readString()
        let dnsNames = try r.readArray(max: 100_000, "certificate name count") { r throws(CheckpointError) in try r.readString() }
        self.init(version: version, cipher: cipher, subject: subject, issuer: issuer, dnsNames: dnsNames,
                  notAfter: try r.readTimestamp())
    }
}

extension AttemptTimings {
    func encode(into w: inout ByteWriter) {
        w.appendOptional(connect) { $0.append($1) }
        w.appendOptional(tls) { $0.append($1) }
        w.appendOptional(firstByte) { $0.append($1) }
        w.append(total)
    }

    init(decoding r: inout ByteReader) throws(CheckpointError) {
        self.init(connect: try r.readOptionalDouble(), tls: try r.readOptionalDouble(),
                  firstByte: try r.readOptionalDouble(), total: try r.readDouble())
    }
}
