/// Why a config file is not valid JSON5, and where: 1-based line and column (columns count
/// characters, i.e. Unicode scalars, so they match what an editor shows).
struct JSON5Error: Error, Sendable, Equatable, CustomStringConvertible {
    var line: Int
    var column: Int
    var message: String

    var description: String { "\(line):\(column): \(message)" }
}

/// The text of a config file as Unicode scalars, decoded strictly: a byte sequence that is not
/// UTF-8 is an error naming its line, column and byte offset, never a repair or a trap.
struct JSON5Source {
    let scalars: [Unicode.Scalar]

    init(_ bytes: [UInt8]) throws(JSON5Error) {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(bytes.count)
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        decoding: while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                scalars.append(Unicode.UTF8.decode(encoded))
                offset += encoded.count
            case .emptyInput:
                break decoding
            case .error:
                let at = Self.location(of: scalars.count, in: scalars)
                let hex = String(bytes[offset], radix: 16, uppercase: true)
                throw JSON5Error(
                    line: at.line, column: at.column,
                    message: "invalid UTF-8: byte 0x\(hex.count < 2 ? "0" : "")\(hex) at byte offset \(offset)"
                        + " (save the file as UTF-8)")
            }
        }
        self.scalars = scalars
    }

    /// Line and column of the scalar at `index` (the end of the text is a valid position).
    func location(of index: Int) -> (line: Int, column: Int) { Self.location(of: index, in: scalars) }

    /// Counted on demand: only an error needs it. LF, CR, CRLF, U+2028 and U+2029 end lines (JSON5's
    /// LineTerminatorSequence).
    private static func location(of index: Int, in scalars: [Unicode.Scalar]) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        var i = 0
        while i < index {
            switch scalars[i] {
            case "\n", "\u{2028}", "\u{2029}":
                line += 1
                lineStart = i + 1
            case "\r":
                if i + 1 < index && scalars[i + 1] == "\n" { i += 1 }
                line += 1
                lineStart = i + 1
            default:
                break
            }
            i += 1
        }
        return (line, index - lineStart + 1)
    }
}
