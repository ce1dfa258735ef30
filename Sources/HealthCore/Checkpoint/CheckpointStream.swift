/// A checkpoint written a few probes at a time, so that no buffer ever holds the whole file (at 10,000 probes
/// with full histories it runs to hundreds of MB, which a single buffer added to the daemon's memory every
/// checkpoint interval). The bytes are those of `Checkpoint`'s layout: the file is the header, every piece `take`
/// handed out, in order, and the trailer. The header comes last, from `finish`, because its length field is known
/// only then; the body's CRC is kept as it goes, and the header's put before it by `CRC32.combine`.
package struct CheckpointStream: Sendable {
    private let version: String
    private let time: Timestamp
    private var body: ByteWriter
    private var bodyCRC: UInt32 = 0
    private var bodyLength = 0

    /// A checkpoint of `probes` probes, written by healthd `version` at `time`.
    package init(writer version: String, at time: Timestamp, probes: Int, reservingCapacity capacity: Int = 0) {
        (self.version, self.time) = (version, time)
        body = ByteWriter(reservingCapacity: capacity)
        body.appendVarint(probes)
    }

    /// The header's size, the same before and after `finish`: room a file leaves for it at the start.
    package var headerSize: Int { header(length: 0).count }

    /// Encodes one probe's record; records must come in the monitor's order, as many as `probes` said.
    package mutating func append(_ entry: Monitor.Entry) {
        body.append(entry.rules.name)
        body.append(entry.rules.kind)
        entry.windows.encode(into: &body)
        entry.state.encode(into: &body)
    }

    /// Bytes encoded and not yet taken.
    package var pending: Int { body.count }

    /// The bytes encoded since the last take, for the file after what came before.
    package mutating func take() -> [UInt8] {
        let piece = body.bytes
        bodyCRC = CRC32.checksum(piece, continuing: bodyCRC)
        bodyLength += piece.count
        body = ByteWriter()
        return piece
    }

    /// Once every record is in: the header, for the file's start, and the trailer, for its end (after a last
    /// `take`, which this makes if anything is pending).
    package mutating func finish() -> (header: [UInt8], last: [UInt8], trailer: [UInt8]) {
        let last = take()
        let header = header(length: UInt64(headerSize + bodyLength + Checkpoint.trailerBytes))
        var trailer = ByteWriter()
        trailer.appendFixed(CRC32.combine(CRC32.checksum(header), bodyCRC, secondLength: bodyLength))
        return (header, last, trailer.bytes)
    }

    private func header(length: UInt64) -> [UInt8] {
        var w = ByteWriter()
        Checkpoint.appendHeader(to: &w, writer: version, at: time, length: length)
        return w.bytes
    }
}
