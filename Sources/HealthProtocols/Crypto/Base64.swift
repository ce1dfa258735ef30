// Base 64 with the standard alphabet and `=` padding (RFC 4648 §4), stdlib only.
//
// Decoding is strict, as SCRAM and HTTP authentication want it: no whitespace or line breaks,
// length a multiple of four, padding only at the end, and the unused bits of the last group
// zero (the "canonical encoding" of §3.5). Anything else decodes to nil.

package enum Base64 {
    /// `bytes` in base 64, padded: `[0x66, 0x6f]` → `"Zm8="`.
    package static func encode(_ bytes: [UInt8]) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity((bytes.count + 2) / 3 * 4)
        alphabet.withUTF8Buffer { alphabet in
            var index = 0
            while bytes.count - index >= 3 {
                let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                utf8.append(alphabet[Int(group >> 18 & 0x3f)])
                utf8.append(alphabet[Int(group >> 12 & 0x3f)])
                utf8.append(alphabet[Int(group >> 6 & 0x3f)])
                utf8.append(alphabet[Int(group & 0x3f)])
                index += 3
            }
            switch bytes.count - index {
            case 1:
                let group = UInt32(bytes[index]) << 16
                utf8.append(alphabet[Int(group >> 18 & 0x3f)])
                utf8.append(alphabet[Int(group >> 12 & 0x3f)])
                utf8.append(pad)
                utf8.append(pad)
            case 2:
                let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
                utf8.append(alphabet[Int(group >> 18 & 0x3f)])
                utf8.append(alphabet[Int(group >> 12 & 0x3f)])
                utf8.append(alphabet[Int(group >> 6 & 0x3f)])
                utf8.append(pad)
            default:
                break
            }
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// The bytes `string` encodes, or nil if it is not canonical padded base 64.
    package static func decode(_ string: String) -> [UInt8]? {
        let input = Array(string.utf8)
        guard input.count % 4 == 0 else { return nil }
        guard !input.isEmpty else { return [] }
        let padding = input[input.count - 1] != pad ? 0 : input[input.count - 2] != pad ? 1 : 2
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3 - padding)

        let lastGroup = input.count - 4
        var index = 0
        while index < input.count {
            let significant = index == lastGroup ? 4 - padding : 4
            var group: UInt32 = 0
            for offset in 0..<4 {
                var value: UInt8 = 0
                if offset < significant {
                    value = decodeTable[Int(input[index + offset])]
                    guard value != invalid else { return nil }
                }
                group = group << 6 | UInt32(value)
            }
            switch significant {
            case 4:
                output.append(UInt8(truncatingIfNeeded: group >> 16))
                output.append(UInt8(truncatingIfNeeded: group >> 8))
                output.append(UInt8(truncatingIfNeeded: group))
            case 3:
                guard group & 0xff == 0 else { return nil }
                output.append(UInt8(truncatingIfNeeded: group >> 16))
                output.append(UInt8(truncatingIfNeeded: group >> 8))
            default:
                guard group & 0xffff == 0 else { return nil }
                output.append(UInt8(truncatingIfNeeded: group >> 16))
            }
            index += 4
        }
        return output
    }

    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    private static let pad = UInt8(ascii: "=")
    private static let invalid: UInt8 = 0xff

    /// Sextet value of each byte, `invalid` for bytes outside the alphabet (`=` included).
    private static let decodeTable: InlineArray<256, UInt8> = {
        var table = InlineArray<256, UInt8>(repeating: invalid)
        alphabet.withUTF8Buffer { alphabet in
            for (value, byte) in alphabet.enumerated() {
                table[Int(byte)] = UInt8(value)
            }
        }
        return table
    }()
}
