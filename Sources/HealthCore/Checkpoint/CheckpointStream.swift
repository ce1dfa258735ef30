/// A checkpoint, or a journal record of what changed since one, written a few probes at a time, so that no buffer
/// ever holds the whole (at 10,000 probes with full histories a checkpoint runs to hundreds of MB, which a single
/// buffer added to the daemon's memory every checkpoint interval).
///
/// The bytes are those of `Checkpoint`'s layout, or of one `Journal` record: the header, every piece `take` handed out,
/// in order, and the trailer (none for a record). The header comes last, from `finish`, because the length it holds is
/// known only then; the body's CRC is kept as it goes (a checkpoint's header is put before it by `CRC32.combine`).
package struct CheckpointStream: Sendable {
    package enum Kind: Sendable, Equatable {
        /// Every probe's windows and state: a checkpoint file.
        case checkpoint
        /// What changed since each probe was last saved: a journal record.
        case changes
    }

    package let kind: Kind
    private let version: String
    private let time: Timestamp
    private var body: ByteWriter
    private var bodyCRC: UInt32 = 0
    private var bodyLength = 0

    /// A checkpoint or record of `probes` probes, written by healthd `version` at `time`.
    package init(_ kind: Kind = .checkpoint, writer version: String, at time: Timestamp, probes: Int, reservingCapacity capacity: Int = 0) {
        (self.kind, self.version, self.time) = (kind, version, time)
        body = ByteWriter(reservingCapacity: capacity)
        if kind == .changes { body.append(time) }
        body.appendVarint(probes)
    }

    /// The header's size, the same before and after `finish`: room a file leaves for it at the start.
    package var headerSize: Int { kind == .checkpoint ? header(length: 0).count : Journal.recordHeaderBytes }

    /// Encodes one probe's record, or what changed in it since `entry.unsaved`; records come in the monitor's order,
    /// as many as `probes` said.
    package mutating func append(_ entry: Monitor.Entry) {
        body.append(entry.rules.name)
        body.append(entry.rules.kind)
        switch kind {
        case .checkpoint: entry.windows.encode(into: &body)
        case .changes:
            body.append(entry.unsaved.oldest != nil)
            if let oldest = entry.unsaved.oldest { entry.windows.encodeChanges(since: entry.unsaved, oldest: oldest, into: &body) }
        }
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

    /// Once every record is in: the header, for the start, and the trailer, for the end (after a last `take`, which
    /// this makes if anything is pending).
    package mutating func finish() -> (header: [UInt8], last: [UInt8], trailer: [UInt8]) {
        let last = take()
        guard kind == .checkpoint else { return (Journal.recordHeader(length: bodyLength, crc: bodyCRC), last, []) }
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
