import Testing

@testable import HealthProtocols

struct PGNumericCase: Sendable, CustomTestStringConvertible {
    var text: String?
    var oid: Int32
    /// nil: expect success(nil); .some(value): success(value); error: failure whose message contains it.
    var expected: Double?
    var errorContains: String?
    var testDescription: String { "\(text ?? "NULL") as \(PostgresType.name(ofOID: oid))" }
}

private func ok(_ text: String?, _ oid: Int32, _ value: Double?) -> PGNumericCase {
    PGNumericCase(text: text, oid: oid, expected: value, errorContains: nil)
}

private func bad(_ text: String, _ oid: Int32, _ contains: String) -> PGNumericCase {
    PGNumericCase(text: text, oid: oid, expected: nil, errorContains: contains)
}

private let numericCases: [PGNumericCase] = [
    ok("1", PostgresType.int4, 1),
    ok("-32768", PostgresType.int2, -32768),
    ok("+7", PostgresType.int4, 7),
    ok("9223372036854775807", PostgresType.int8, 0x1p63),  // int8 max rounds to 2^63
    ok("12345", PostgresType.oid, 12345),
    ok("771", PostgresType.xid, 771),
    ok("5000000000", PostgresType.xid8, 5_000_000_000),
    ok("3.25", PostgresType.float8, 3.25),
    ok("1e+100", PostgresType.float8, 1e100),
    ok("-1.5e-07", PostgresType.float4, -1.5e-07),
    ok("123.4500", PostgresType.numeric, 123.45),
    ok(".5", PostgresType.numeric, 0.5),
    ok("Infinity", PostgresType.numeric, .infinity),
    ok("-Infinity", PostgresType.float8, -.infinity),
    ok("t", PostgresType.bool, 1),
    ok("f", PostgresType.bool, 0),
    ok(nil, PostgresType.int4, nil),
    ok(nil, PostgresType.text, nil),
    bad("abc", PostgresType.text, "type text, which is not numeric"),
    bad("x", PostgresType.varchar, "type varchar"),
    bad("2024-01-01 00:00:00+00", PostgresType.timestamptz, "type timestamptz"),
    bad("2024-01-01 00:00:00", PostgresType.timestamp, "type timestamp,"),
    bad("{}", PostgresType.json, "type json"),
    bad("{}", PostgresType.jsonb, "type jsonb"),
    bad("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", PostgresType.uuid, "type uuid"),
    bad("$1.00", PostgresType.money, "type money"),
    bad("1", 99999, "type type OID 99999"),
    bad("abc", PostgresType.int4, "int4 value \"abc\" is not a number"),
    bad("1.5", PostgresType.int4, "int4 value \"1.5\""),
    bad("", PostgresType.numeric, "numeric value \"\""),
    bad("0x10", PostgresType.int8, "int8 value"),
    bad("1e", PostgresType.float8, "float8 value"),
    bad("inf", PostgresType.float8, "float8 value"),
    bad("-", PostgresType.int4, "int4 value"),
    bad("yes", PostgresType.bool, "bool value \"yes\""),
]

@Test("numeric values by type", arguments: numericCases)
func pgNumericValue(_ testCase: PGNumericCase) {
    let result = PostgresType.numericValue(text: testCase.text, typeOID: testCase.oid)
    switch (result, testCase.errorContains) {
    case (.success(let value), nil):
        #expect(value == testCase.expected)
    case (.failure(let error), let contains?):
        #expect(error.code == .notNumeric)
        #expect(error.description.contains(contains), "\(error)")
    default:
        Issue.record("unexpected \(result)")
    }
}

@Test("NaN is a number")
func pgNumericNaN() throws {
    #expect(try PostgresType.numericValue(text: "NaN", typeOID: PostgresType.float8).get()?.isNaN == true)
    #expect(try PostgresType.numericValue(text: "NaN", typeOID: PostgresType.numeric).get()?.isNaN == true)
}

@Test("a result's numeric value")
func pgResultNumericValue() throws {
    #expect(
        try PostgresResult(value: "42", typeOID: PostgresType.int8, columnName: "n", hasRows: true).numericValue().get()
            == 42)
    #expect(
        try PostgresResult(value: nil, typeOID: PostgresType.int8, columnName: "n", hasRows: true).numericValue().get()
            == nil)
    #expect(try PostgresResult().numericValue().get() == nil)
    #expect(throws: PostgresError.self) {
        try PostgresResult(value: "x", typeOID: PostgresType.text, columnName: "s", hasRows: true).numericValue().get()
    }
}

@Test(
    "type names",
    arguments: [
        (PostgresType.int4, "int4"), (PostgresType.text, "text"), (PostgresType.varchar, "varchar"),
        (PostgresType.timestamptz, "timestamptz"), (PostgresType.uuid, "uuid"), (PostgresType.json, "json"),
        (Int32(1_234_567), "type OID 1234567"),
    ])
func pgTypeNames(_ oid: Int32, _ name: String) {
    #expect(PostgresType.name(ofOID: oid) == name)
}
