/// Reads what `ByteWriter` wrote. Every read is bounds-checked and throws `CheckpointError` rather than trapping, and
/// every count is checked against a limit and against the bytes left before anything is allocated for it, so hostile
/// input costs at most a pass over its own bytes.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    /// Reads stop here (before the trailer), whatever follows in `bytes`.
    let end: Int
    /// The checkpoint format being read, for fields that older versions lack.
    let version: UInt16

    init(_ bytes: [UInt8], from start: Int = 0, upTo end: Int? = nil, version: UInt16 = Checkpoint.formatVersion) {
        self.bytes = bytes
        self.version = version
        self.end = min(max(end ?? bytes.count, 0), bytes.count)
        offset = min(max(start, 0), self.end)
    }

    var remaining: Int { end - offset }

    var isAtEnd: Bool { offset == end }

    mutating func readByte() throws(CheckpointError) -> UInt8 {
        guard offset < end else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// A `T` stored least significant byte first.
    mutating func readFixed<T: FixedWidthInteger>(_: T.Type) throws(CheckpointError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw .truncated }
        defer { offset += size }
        return T(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) })
    }

    /// A LEB128 varint; more than 64 bits' worth is corrupt, not wrapped.
    mutating func readVarint() throws(CheckpointError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: UInt64(0), through: 63, by: 7) {
            let byte = try readByte()
            guard shift < 63 || byte <= 1 else { throw .corrupt("varint longer than 64 bits at byte \(offset - 1)") }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
        }
        throw .corrupt("varint longer than 64 bits at byte \(offset - 1)")
    }

    mutating func readZigZag() throws(CheckpointError) -> Int64 {
        let raw = try readVarint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    /// A non-negative integer up to `limit`; `what` names it in the error, built only then (this runs per bucket).
    mutating func readInt(max limit: Int, _ what: @autoclosure () -> String) throws(CheckpointError) -> Int {
        let raw = try readVarint()
        guard raw <= UInt64(limit) else { throw .corrupt("\(what()) \(raw) exceeds \(limit)") }
        return Int(raw)
    }

    /// A count of elements each at least `minBytes` long: at most `limit`, and no more than the bytes left can hold,
    /// so a huge length prefix fails here instead of in an allocation.
    mutating func readCount(max limit: Int, minBytes: Int = 1,
                            _ what: @autoclosure () -> String) throws(CheckpointError) -> Int {
        let count = try readInt(max: limit, what())
        guard count <= remaining / max(minBytes, 1) else {
            throw .corrupt("\(what()) \(count) needs more than the \(remaining) bytes left")
        }
        return count
    }

    mutating func readDouble() throws(CheckpointError) -> Double { Double(bitPattern: try readFixed(UInt64.self)) }

    mutating func readFloat() throws(CheckpointError) -> Float { Float(bitPattern: try readFixed(UInt32.self)) }

    mutating func readBool() throws(CheckpointError) -> Bool {
        switch try readByte() {
        case 0: false
        case 1: true
        case let byte: throw .corrupt("boolean byte \(byte) at \(offset - 1)")
        }
    }

    mutating func readTimestamp() throws(CheckpointError) -> Timestamp {
        try Self.time(try readFixed(Int64.self))
    }

    /// A time within ±2⁶² ns (±146 years) of the epoch; anything further is corrupt, and rejecting it keeps later
    /// arithmetic such as `now − since` from overflowing.
    static func time(_ nanoseconds: Int64) throws(CheckpointError) -> Timestamp {
        guard nanoseconds.magnitude <= 1 << 62 else { throw .corrupt("time \(nanoseconds) ns") }
        return Timestamp(nanoseconds: nanoseconds)
    }

    /// A length-prefixed UTF-8 string of at most `maxBytes`; invalid UTF-8 is corrupt rather than repaired, so what
    /// is restored is exactly what was written.
    mutating func readString(maxBytes: Int = 1 << 20) throws(CheckpointError) -> String {
        let count = try readCount(max: maxBytes, "string length")
        defer { offset += count }
        guard let string = String(validating: bytes[offset..<offset + count], as: UTF8.self) else {
            throw .corrupt("invalid UTF-8 at byte \(offset)")
        }
        return string
    }

    /// `count` raw bytes.
    mutating func readBytes(_ count: Int) throws(CheckpointError) -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else { throw .truncated }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// A tag byte, then the value through `body` when present.
    mutating func readOptional<T>(_ body: (inout ByteReader) throws(CheckpointError) -> T) throws(CheckpointError) -> T? {
        switch try readByte() {
        case 0: return nil
        case 1: return try body(&self)
        case let tag: throw .corrupt("optional tag \(tag) at byte \(offset - 1)")
        }
    }

    // The common optionals, sparing callers the closure (whose typed throws must be spelled out).
    mutating func readOptionalDouble() throws(CheckpointError) -> Double? {
        try readOptional { r throws(CheckpointError) in try r.readDouble() }
    }

    mutating func readOptionalString() throws(CheckpointError) -> String? {
        try readOptional { r throws(CheckpointError) in try r.readString() }
    }

    mutating func readOptionalTimestamp() throws(CheckpointError) -> Timestamp? {
        try readOptional { r throws(CheckpointError) in try r.readTimestamp() }
    }

    /// A count (see `readCount`), then that many elements through `body`.
    mutating func readArray<T>(max limit: Int, minBytes: Int = 1, _ what: String,
                               _ body: (inout ByteReader) throws(CheckpointError) -> T) throws(CheckpointError) -> [T] {
        let count = try readCount(max: limit, minBytes: minBytes, what)
        var values: [T] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try body(&self)) }
        return values
    }
}
