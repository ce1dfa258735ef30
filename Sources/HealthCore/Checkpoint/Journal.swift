/// The checkpoint's journal (`checkpoint.journal`): what changed since the checkpoint, a record each checkpoint
/// interval, so that a minute's work is written as a minute's changes rather than every probe's week again (at
/// 10,000 probes with full histories, ~20 MB instead of ~380 MB). A restore reads the checkpoint, then applies the
/// journal's records in order; a new checkpoint starts a new, empty journal.
///
///     "HDJRNL"            6 bytes, magic
///     journal version     UInt16
///     checkpoint format   UInt16, that of the records' encodings (`Checkpoint.formatVersion` when written)
///     checkpoint length   UInt64  \ the checkpoint the records apply to: a journal left beside another one (a
///     checkpoint CRC-32   UInt32  /  crash between a new checkpoint and its new journal) is not applied
///     records, each:
///       length            UInt64, of the body; its room is written last, so a record never finished reads as 0
///       CRC-32            UInt32 over the body
///       body              written at Int64 ns; probes varint; per probe: name, kind, flags, window changes, state
///
/// A record cut off or damaged ends the journal there: the records before it are applied and the writer continues
/// after them.
package enum Journal {
    static let magic: [UInt8] = Array("HDJRNL".utf8)
    static let version: UInt16 = 1
    package static let headerBytes = 22
    package static let recordHeaderBytes = 12

    /// Which checkpoint file a journal belongs to: its length and CRC-32 (its last four bytes).
    package struct Base: Sendable, Equatable {
        package var length: UInt64
        package var crc: UInt32

        package init(length: UInt64, crc: UInt32) { (self.length, self.crc) = (length, crc) }

        /// The checkpoint whose bytes these are (nil when too short to be one).
        package init?(checkpoint bytes: [UInt8]) {
            guard bytes.count >= Checkpoint.trailerBytes else { return nil }
            var trailer = ByteReader(bytes, from: bytes.count - Checkpoint.trailerBytes)
            guard let crc = try? trailer.readFixed(UInt32.self) else { return nil }
            self.init(length: UInt64(bytes.count), crc: crc)
        }

        /// The checkpoint whose trailer is `trailer` and whose length is `length`.
        package init?(length: Int, trailer: [UInt8]) {
            var r = ByteReader(trailer)
            guard trailer.count == Checkpoint.trailerBytes, let crc = try? r.readFixed(UInt32.self) else { return nil }
            self.init(length: UInt64(length), crc: crc)
        }
    }

    /// A new journal's first bytes, for the checkpoint `base`.
    package static func header(for base: Base) -> [UInt8] {
        var w = ByteWriter()
        w.append(bytes: magic)
        w.appendFixed(version)
        w.appendFixed(Checkpoint.formatVersion)
        w.appendFixed(base.length)
        w.appendFixed(base.crc)
        return w.bytes
    }

    /// A whole record of `body`, framed (for records made whole, not written in pieces).
    package static func record(body: [UInt8]) -> [UInt8] { recordHeader(length: body.count, crc: CRC32.checksum(body)) + body }

    /// A record's first bytes, written once its body is: the body's length and CRC-32.
    static func recordHeader(length: Int, crc: UInt32) -> [UInt8] {
        var w = ByteWriter()
        w.appendFixed(UInt64(length))
        w.appendFixed(crc)
        return w.bytes
    }

    /// The whole records of a journal, in order, each with the offset it starts at.
    struct Contents {
        var records: [(start: Int, body: ByteReader)] = []
        /// Where the whole records end: the file is cut back to this to go on writing.
        var end = 0
        /// Why the journal is not applied, or ends before the file does.
        var problem: String?
        /// Whether it belongs to the checkpoint at hand.
        var applies = false
        /// Whether it is no journal this healthd reads (as opposed to one of another checkpoint): kept for a look.
        var unreadable = false
    }

    /// Checks the header against `base` and frames the records, stopping at the first one cut off or damaged.
    static func read(_ bytes: [UInt8], base: Base) -> Contents {
        var contents = Contents()
        var r = ByteReader(bytes)
        guard let prefix = try? r.readBytes(magic.count), prefix.elementsEqual(magic) else {
            contents.problem = "not a healthd journal"
            contents.unreadable = true
            return contents
        }
        guard let version = try? r.readFixed(UInt16.self), let format = try? r.readFixed(UInt16.self),
              let length = try? r.readFixed(UInt64.self), let crc = try? r.readFixed(UInt32.self) else {
            contents.problem = "its header is cut off"
            contents.unreadable = true
            return contents
        }
        guard version == Self.version else {
            contents.problem = "journal version \(version), this healthd reads \(Self.version)"
            contents.unreadable = true
            return contents
        }
        guard Checkpoint.readable.contains(format) else {
            contents.problem = "records of checkpoint format \(format), this healthd reads \(Checkpoint.readable)"
            contents.unreadable = true
            return contents
        }
        guard Base(length: length, crc: crc) == base else {
            contents.problem = "it belongs to an earlier checkpoint"
            return contents
        }
        contents.applies = true
        var start = r.offset
        while start < bytes.count {
            var framing = ByteReader(bytes, from: start)
            guard let length = try? framing.readFixed(UInt64.self), let crc = try? framing.readFixed(UInt32.self), length > 0 else {
                contents.problem = "the record at byte \(start) was never finished"
                break
            }
            guard length <= UInt64(framing.remaining) else {
                contents.problem = "the record at byte \(start) is cut off"
                break
            }
            let bodyEnd = framing.offset + Int(length)
            guard CRC32.checksum(bytes[framing.offset..<bodyEnd]) == crc else {
                contents.problem = "the record at byte \(start) fails its checksum"
                break
            }
            contents.records.append((start, ByteReader(bytes, from: framing.offset, upTo: bodyEnd, version: format)))
            start = bodyEnd
        }
        contents.end = start
        return contents
    }
}
