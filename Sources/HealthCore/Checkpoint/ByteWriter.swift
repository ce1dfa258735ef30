/// Appends a checkpoint's little-endian binary encoding; `ByteReader` reads it back.
///
/// Integers come fixed-width or as LEB128 varints (zigzag for signed ones), doubles and floats as their bit patterns
/// (so every value, NaN payloads included, round-trips exactly), strings as a varint byte count and UTF-8, optionals
/// as a tag byte (0 absent, 1 present) and arrays as a varint count followed by the elements.
struct ByteWriter: Sendable {
    private(set) var bytes: [UInt8] = []

    /// An empty writer; reserving the expected size up front avoids regrowing a large buffer.
    init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    var count: Int { bytes.count }

    mutating func append(_ byte: UInt8) { bytes.append(byte) }

    /// `value` in `T`'s width, least significant byte first.
    mutating func appendFixed<T: FixedWidthInteger>(_ value: T) {
        var rest = value.littleEndian
        withUnsafeBytes(of: &rest) { bytes.append(contentsOf: $0) }
    }

    /// LEB128: 7 bits a byte, lowest first; 1 byte below 128, at most 10.
    mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// A count or other non-negative Int as a varint.
    mutating func appendVarint(_ value: Int) {
        precondition(value >= 0, "counts are not negative")
        appendVarint(UInt64(value))
    }

    /// Zigzag maps small magnitudes of either sign to small varints (0, −1, 1, −2 … → 0, 1, 2, 3 …).
    mutating func appendZigZag(_ value: Int64) {
        appendVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func append(_ value: Double) { appendFixed(value.bitPattern) }

    mutating func append(_ value: Float) { appendFixed(value.bitPattern) }

    mutating func append(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func append(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            appendVarint(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func append(_ time: Timestamp) { appendFixed(time.nanoseconds) }

    mutating func append(bytes more: some Sequence<UInt8>) { bytes.append(contentsOf: more) }

    /// A tag byte, then the value through `body` when present.
    mutating func appendOptional<T>(_ value: T?, _ body: (inout ByteWriter, T) -> Void) {
        guard let value else { return append(UInt8(0)) }
        append(UInt8(1))
        body(&self, value)
    }

    /// The count, then each element through `body`.
    mutating func appendArray<T>(_ values: [T], _ body: (inout ByteWriter, T) -> Void) {
        appendVarint(values.count)
        for value in values { body(&self, value) }
    }
}
