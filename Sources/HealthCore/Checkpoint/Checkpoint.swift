/// The checkpoint file's framing, around the probe records `Monitor.checkpoint` writes:
///
///     "HDCKPT"          6 bytes, magic
///     format version    UInt16
///     length            UInt64, of the whole file: a shorter file was cut off, which the checksum alone cannot tell
///     writer version    string, the healthd that wrote it
///     written at        Int64 ns since the epoch
///     probes            varint count, then per probe: name, kind, windows, state
///     CRC-32            UInt32 over every byte before it
///
/// All integers little-endian; see `ByteWriter` for varints, strings and optionals.
enum Checkpoint {
    static let magic: [UInt8] = Array("HDCKPT".utf8)
    /// Bump on any change to the encoding, the tier geometry included. Versions in `readable` are
    /// read (a restart after an upgrade keeps its history); others are set aside.
    static let formatVersion: UInt16 = 4
    /// 1: before TLS facts and timings (samples and probe state hold none). 2: the raw ring kept 384 samples however
    /// old, stored in slot order, and every sketch was stored as a byte stream (3 stores packed ones as they are). 3: packed
    /// streams had one mode, `gaps`, and no bit to say so.
    static let readable: ClosedRange<UInt16> = 1...4
    /// The CRC-32 trailer.
    static let trailerBytes = 4

    static func appendHeader(to w: inout ByteWriter, writer version: String, at time: Timestamp, length: UInt64) {
        w.append(bytes: magic)
        w.appendFixed(formatVersion)
        w.appendFixed(length)
        w.append(version)
        w.append(time)
    }

    /// Checks the framing, in the order that names the problem best (what the file is, then which version, then
    /// whether it is whole, then whether it is intact), and returns a reader positioned after the length field and
    /// ending before the checksum.
    static func open(_ bytes: [UInt8]) throws(CheckpointError) -> ByteReader {
        let prefix = min(bytes.count, magic.count)
        guard bytes[..<prefix].elementsEqual(magic[..<prefix]) else { throw .badMagic }
        var r = ByteReader(bytes)
        _ = try r.readBytes(magic.count)
        let version = try r.readFixed(UInt16.self)
        guard readable.contains(version) else { throw .unsupportedVersion(version) }
        let length = try r.readFixed(UInt64.self), actual = UInt64(bytes.count)
        guard actual >= length else { throw .truncated }
        guard actual == length else { throw .corrupt("\(actual - length) bytes after the declared end") }
        guard r.remaining >= trailerBytes else { throw .corrupt("declared length \(length) leaves no checksum") }
        let end = bytes.count - trailerBytes
        var trailer = ByteReader(bytes, from: end)
        guard CRC32.checksum(bytes[..<end]) == (try trailer.readFixed(UInt32.self)) else { throw .checksum }
        return ByteReader(bytes, from: r.offset, upTo: end, version: version)
    }
}
