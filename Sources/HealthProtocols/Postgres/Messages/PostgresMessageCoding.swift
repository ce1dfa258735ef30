// Byte-level helpers shared by the message codecs: a bounds-checked big-endian reader over one
// message body, and big-endian writers. Every integer on the wire is big-endian ("network order");
// strings are NUL-terminated ("String" in the protocol documentation).

/// Reads one message body. Every read is bounds-checked and throws a `.protocol` error naming the
/// message; nothing traps on malformed input.
struct PostgresMessageReader {
    private let bytes: ArraySlice<UInt8>
    private(set) var index: Int
    /// "DataRow ('D')", for error messages.
    let messageName: String

    init(_ bytes: ArraySlice<UInt8>, messageName: String) {
        self.bytes = bytes
        self.index = bytes.startIndex
        self.messageName = messageName
    }

    var remaining: Int { bytes.endIndex - index }
    var isAtEnd: Bool { index == bytes.endIndex }

    func malformed(_ what: String) -> PostgresError {
        .protocolViolation("malformed \(messageName) message: \(what)")
    }

    mutating func readUInt8(_ what: String) throws(PostgresError) -> UInt8 {
        guard remaining >= 1 else { throw malformed("truncated before \(what)") }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func readInt16(_ what: String) throws(PostgresError) -> Int16 {
        guard remaining >= 2 else { throw malformed("truncated before \(what)") }
        defer { index += 2 }
        return Int16(bitPattern: UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
    }

    mutating func readInt32(_ what: String) throws(PostgresError) -> Int32 {
        guard remaining >= 4 else { throw malformed("truncated before \(what)") }
        defer { index += 4 }
        return Int32(bitPattern: PostgresMessageReader.uint32(bytes, at: index))
    }

    mutating func readBytes(_ count: Int, _ what: String) throws(PostgresError) -> [UInt8] {
        guard count >= 0, remaining >= count else {
            throw malformed("\(what) needs \(count) bytes, \(remaining) left")
        }
        defer { index += count }
        return Array(bytes[index..<(index + count)])
    }

    /// A NUL-terminated string; invalid UTF-8 is repaired (U+FFFD), never rejected.
    mutating func readCString(_ what: String) throws(PostgresError) -> String {
        guard let nul = bytes[index...].firstIndex(of: 0) else {
            throw malformed("\(what) is not NUL-terminated")
        }
        defer { index = nul + 1 }
        return String(decoding: bytes[index..<nul], as: UTF8.self)
    }

    mutating func readRest() -> [UInt8] {
        defer { index = bytes.endIndex }
        return Array(bytes[index...])
    }

    /// The body must be used up exactly.
    func finish() throws(PostgresError) {
        guard isAtEnd else { throw malformed("\(remaining) unexpected trailing bytes") }
    }

    static func uint32(_ bytes: ArraySlice<UInt8>, at index: Int) -> UInt32 {
        UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8
            | UInt32(bytes[index + 3])
    }
}

extension Array where Element == UInt8 {
    mutating func appendInt16(_ value: Int16) {
        let bits = UInt16(bitPattern: value)
        append(UInt8(truncatingIfNeeded: bits >> 8))
        append(UInt8(truncatingIfNeeded: bits))
    }

    mutating func appendInt32(_ value: Int32) {
        let bits = UInt32(bitPattern: value)
        append(UInt8(truncatingIfNeeded: bits >> 24))
        append(UInt8(truncatingIfNeeded: bits >> 16))
        append(UInt8(truncatingIfNeeded: bits >> 8))
        append(UInt8(truncatingIfNeeded: bits))
    }

    /// The string's UTF-8 and a NUL. Callers make sure the string has no NUL of its own
    /// (`PostgresConfiguration.validate()`).
    mutating func appendCString(_ string: String) {
        append(contentsOf: string.utf8)
        append(0)
    }
}

enum PostgresFraming {
    /// `identifier? Int32(length) body`: the length counts itself and the body, not the identifier.
    static func frame(_ identifier: UInt8?, _ writeBody: (inout [UInt8]) -> Void) -> [UInt8] {
        var bytes: [UInt8] = []
        if let identifier { bytes.append(identifier) }
        let lengthAt = bytes.count
        bytes.appendInt32(0)
        writeBody(&bytes)
        let length = UInt32(bytes.count - lengthAt)
        bytes[lengthAt] = UInt8(truncatingIfNeeded: length >> 24)
        bytes[lengthAt + 1] = UInt8(truncatingIfNeeded: length >> 16)
        bytes[lengthAt + 2] = UInt8(truncatingIfNeeded: length >> 8)
        bytes[lengthAt + 3] = UInt8(truncatingIfNeeded: length)
        return bytes
    }

    /// `'Q'` / `0x51` / a printable byte as `'Q'`, anything else as `0x..`.
    static func describeByte(_ byte: UInt8) -> String {
        let hex = "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        return (0x21...0x7E).contains(byte) ? "\(hex) ('\(Character(Unicode.Scalar(byte)))')" : hex
    }
}
