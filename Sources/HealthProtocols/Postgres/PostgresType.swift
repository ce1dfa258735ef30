// Type OIDs (pg_type.oid, fixed for built-in types) and reading text values as numbers.

package enum PostgresType {
    package static let bool: Int32 = 16
    package static let bytea: Int32 = 17
    package static let char: Int32 = 18
    package static let int8: Int32 = 20
    package static let int2: Int32 = 21
    package static let int4: Int32 = 23
    package static let regproc: Int32 = 24
    package static let text: Int32 = 25
    package static let oid: Int32 = 26
    package static let xid: Int32 = 28
    package static let cid: Int32 = 29
    package static let json: Int32 = 114
    package static let xml: Int32 = 142
    package static let float4: Int32 = 700
    package static let float8: Int32 = 701
    package static let unknown: Int32 = 705
    package static let money: Int32 = 790
    package static let inet: Int32 = 869
    package static let bpchar: Int32 = 1042
    package static let varchar: Int32 = 1043
    package static let date: Int32 = 1082
    package static let time: Int32 = 1083
    package static let timestamp: Int32 = 1114
    package static let timestamptz: Int32 = 1184
    package static let interval: Int32 = 1186
    package static let timetz: Int32 = 1266
    package static let numeric: Int32 = 1700
    package static let uuid: Int32 = 2950
    package static let jsonb: Int32 = 3802
    package static let xid8: Int32 = 5069

    private static let names: [Int32: String] = [
        16: "bool", 17: "bytea", 18: "char", 19: "name", 20: "int8", 21: "int2", 22: "int2vector", 23: "int4",
        24: "regproc", 25: "text", 26: "oid", 27: "tid", 28: "xid", 29: "cid", 114: "json", 142: "xml",
        600: "point", 650: "cidr", 700: "float4", 701: "float8", 705: "unknown", 774: "macaddr8", 790: "money",
        829: "macaddr", 869: "inet", 1000: "bool[]", 1005: "int2[]", 1007: "int4[]", 1009: "text[]", 1016: "int8[]",
        1021: "float4[]", 1022: "float8[]", 1042: "bpchar", 1043: "varchar", 1082: "date", 1083: "time",
        1114: "timestamp", 1184: "timestamptz", 1186: "interval", 1266: "timetz", 1560: "bit", 1562: "varbit",
        1700: "numeric", 2205: "regclass", 2206: "regtype", 2249: "record", 2278: "void", 2950: "uuid",
        3220: "pg_lsn", 3802: "jsonb", 4089: "regnamespace", 4096: "regrole", 5069: "xid8",
    ]

    /// `int4`, `timestamptz`, … or `type OID 12345` for types not built in (or not listed).
    package static func name(ofOID oid: Int32) -> String {
        names[oid] ?? "type OID \(oid)"
    }

    /// Reads a text value as a number:
    /// - int2, int4, int8, oid, xid, xid8, cid: an integer (int8 beyond 2^53 loses precision);
    /// - float4, float8, numeric: a decimal, `NaN`, `Infinity`, `-Infinity`;
    /// - bool: `t` is 1, `f` is 0;
    /// - NULL (nil): nil, whatever the type.
    /// Any other type, or text that does not fit its type, is a `.notNumeric` error naming the type.
    package static func numericValue(text: String?, typeOID: Int32) -> Result<Double?, PostgresError> {
        guard let text else { return .success(nil) }
        let typeName = name(ofOID: typeOID)
        func invalid() -> Result<Double?, PostgresError> {
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return .failure(PostgresError(.notNumeric, "\(typeName) value \"\(shown)\" is not a number"))
        }
        switch typeOID {
        case int2, int4, int8, oid, xid, xid8, cid:
            guard isInteger(text), let number = Double(text) else { return invalid() }
            return .success(number)
        case float4, float8, numeric:
            switch text {
            case "NaN": return .success(.nan)
            case "Infinity": return .success(.infinity)
            case "-Infinity": return .success(-.infinity)
            default:
                guard isDecimal(text), let number = Double(text) else { return invalid() }
                return .success(number)
            }
        case bool:
            switch text {
            case "t": return .success(1)
            case "f": return .success(0)
            default: return invalid()
            }
        default:
            return .failure(PostgresError(.notNumeric, "the value has type \(typeName), which is not numeric"))
        }
    }

    /// `[+-]?[0-9]+`
    private static func isInteger(_ text: String) -> Bool {
        var digits = text.utf8[...]
        if let first = digits.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            digits = digits.dropFirst()
        }
        return !digits.isEmpty && digits.allSatisfy(isDigit)
    }

    /// `[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?`
    private static func isDecimal(_ text: String) -> Bool {
        var rest = text.utf8[...]
        if let first = rest.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") { rest = rest.dropFirst() }
        let integerDigits = rest.prefix(while: isDigit).count
        rest = rest.dropFirst(integerDigits)
        var fractionDigits = 0
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            fractionDigits = rest.prefix(while: isDigit).count
            rest = rest.dropFirst(fractionDigits)
        }
        guard integerDigits + fractionDigits > 0 else { return false }
        if let e = rest.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            rest = rest.dropFirst()
            if let sign = rest.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") { rest = rest.dropFirst() }
            let exponentDigits = rest.prefix(while: isDigit).count
            guard exponentDigits > 0 else { return false }
            rest = rest.dropFirst(exponentDigits)
        }
        return rest.isEmpty
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}
