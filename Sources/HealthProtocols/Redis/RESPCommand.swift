/// Encodes a command the way every Redis client sends it: a RESP array of bulk strings,
/// `*2\r\n$4\r\nLLEN\r\n$6\r\ncelery\r\n`. Bulk strings are binary-safe, so arguments need no
/// escaping and cannot inject a second command.
package enum RESPCommand {
    package static func encode(_ argv: [String]) -> [UInt8] {
        encode(argv.map { Array($0.utf8) })
    }

    package static func encode(_ argv: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + argv.reduce(0) { $0 + $1.count + 16 })
        header(UInt8(ascii: "*"), argv.count, into: &out)
        for arg in argv {
            header(UInt8(ascii: "$"), arg.count, into: &out)
            out += arg
            out += [RESPSyntax.cr, RESPSyntax.lf]
        }
        return out
    }

    private static func header(_ type: UInt8, _ count: Int, into out: inout [UInt8]) {
        out.append(type)
        out += Array(String(count).utf8)
        out += [RESPSyntax.cr, RESPSyntax.lf]
    }
}
