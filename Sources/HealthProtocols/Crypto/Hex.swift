// Lowercase hexadecimal rendering of digests and keys (RFC 4648 §8 alphabet, lowercase as most
// digest tools print it), stdlib only.

/// `bytes` as lowercase hex, two digits per byte: `[0x0f, 0xa0]` → `"0fa0"`.
package func hexString(_ bytes: [UInt8]) -> String {
    let digits: StaticString = "0123456789abcdef"
    var utf8: [UInt8] = []
    utf8.reserveCapacity(bytes.count * 2)
    digits.withUTF8Buffer { digits in
        for byte in bytes {
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0x0f)])
        }
    }
    return String(decoding: utf8, as: UTF8.self)
}
