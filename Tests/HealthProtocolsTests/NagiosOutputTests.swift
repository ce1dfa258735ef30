import Testing

@testable import HealthProtocols

struct NagiosCase: Sendable, CustomTestStringConvertible {
    var name: String
    var output: String
    var expected: NagiosOutput

    var testDescription: String { name }
}

private func datum(
    _ label: String, _ value: Double, _ unit: String = "", warn: String? = nil, crit: String? = nil,
    min: Double? = nil, max: Double? = nil
) -> PerfDatum {
    PerfDatum(label: label, value: value, unit: unit, warn: warn, crit: crit, min: min, max: max)
}

private let nagiosCases: [NagiosCase] = [
    NagiosCase(
        name: "check_http",
        output: "HTTP OK: HTTP/1.1 200 OK - 10975 bytes in 0.022 second response time |time=0.022129s;;;0.000000;10.000000 size=10975B;;;0\n",
        expected: NagiosOutput(
            message: "HTTP OK: HTTP/1.1 200 OK - 10975 bytes in 0.022 second response time",
            perfdata: [datum("time", 0.022129, "s", min: 0, max: 10), datum("size", 10975, "B", min: 0)])),
    NagiosCase(
        name: "check_disk with quoted labels",
        output: "DISK WARNING - free space: / 3326 MB (12% inode=88%); /mnt/backup disk 68 MB (69% inode=99%);"
            + "| /=24643MB;22000;25000;0;27968 '/mnt/backup disk'=68MB;88;93;0;98\n",
        expected: NagiosOutput(
            message: "DISK WARNING - free space: / 3326 MB (12% inode=88%); /mnt/backup disk 68 MB (69% inode=99%);",
            perfdata: [
                datum("/", 24643, "MB", warn: "22000", crit: "25000", min: 0, max: 27968),
                datum("/mnt/backup disk", 68, "MB", warn: "88", crit: "93", min: 0, max: 98),
            ])),
    NagiosCase(
        name: "check_load with trailing semicolons and space",
        output: "LOAD OK - total load average: 0.23, 0.25, 0.26|load1=0.230;15.000;30.000;0; load5=0.250;10.000;25.000;0; load15=0.260;5.000;20.000;0; \n",
        expected: NagiosOutput(
            message: "LOAD OK - total load average: 0.23, 0.25, 0.26",
            perfdata: [
                datum("load1", 0.23, warn: "15.000", crit: "30.000", min: 0),
                datum("load5", 0.25, warn: "10.000", crit: "25.000", min: 0),
                datum("load15", 0.26, warn: "5.000", crit: "20.000", min: 0),
            ])),
    NagiosCase(
        name: "check_ping",
        output: "PING OK - Packet loss = 0%, RTA = 0.05 ms|rta=0.050000ms;100.000000;500.000000;0.000000 pl=0%;20;60;0\n",
        expected: NagiosOutput(
            message: "PING OK - Packet loss = 0%, RTA = 0.05 ms",
            perfdata: [
                datum("rta", 0.05, "ms", warn: "100.000000", crit: "500.000000", min: 0),
                datum("pl", 0, "%", warn: "20", crit: "60", min: 0),
            ])),
    NagiosCase(
        name: "check_procs with ranges",
        output: "PROCS CRITICAL: 0 processes with command name 'sshd' | procs=0;1:;1:;0;\n",
        expected: NagiosOutput(
            message: "PROCS CRITICAL: 0 processes with command name 'sshd'",
            perfdata: [datum("procs", 0, warn: "1:", crit: "1:", min: 0)])),
    NagiosCase(
        name: "check_ntp_time negative offset",
        output: "NTP OK: Offset -0.001234 secs|offset=-0.001234s;60.000000;120.000000;\n",
        expected: NagiosOutput(
            message: "NTP OK: Offset -0.001234 secs",
            perfdata: [datum("offset", -0.001234, "s", warn: "60.000000", crit: "120.000000")])),
    NagiosCase(
        name: "check_users value only on some fields",
        output: "USERS OK - 2 users currently logged in |users=2;5;10;0\n",
        expected: NagiosOutput(
            message: "USERS OK - 2 users currently logged in",
            perfdata: [datum("users", 2, warn: "5", crit: "10", min: 0)])),
    NagiosCase(
        name: "counter and bare values",
        output: "OK - ifInOctets|in=123456789c out=42 'it''s'=3\n",
        expected: NagiosOutput(
            message: "OK - ifInOctets",
            perfdata: [datum("in", 123_456_789, "c"), datum("out", 42), datum("it's", 3)])),
    NagiosCase(
        name: "no perfdata",
        output: "CRITICAL - Socket timeout after 10 seconds\n",
        expected: NagiosOutput(message: "CRITICAL - Socket timeout after 10 seconds")),
    NagiosCase(
        name: "empty perfdata after bar",
        output: "OK - fine |   \n",
        expected: NagiosOutput(message: "OK - fine")),
    NagiosCase(
        name: "empty output",
        output: "",
        expected: NagiosOutput(message: "")),
    NagiosCase(
        name: "perfdata only",
        output: "|a=1",
        expected: NagiosOutput(message: "", perfdata: [datum("a", 1)])),
    NagiosCase(
        name: "guidelines multi-line example",
        output: """
            DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968
            / 15272 MB (77%);
            /boot 68 MB (69%);
            /home 69357 MB (27%);
            /var/log 819 MB (84%); | /boot=68MB;88;93;0;98
            /home=69357MB;253404;253409;0;253414 
            /var/log=818MB;970;975;0;980

            """,
        expected: NagiosOutput(
            message: "DISK OK - free space: / 3326 MB (56%);",
            longText: ["/ 15272 MB (77%);", "/boot 68 MB (69%);", "/home 69357 MB (27%);", "/var/log 819 MB (84%);"],
            perfdata: [
                datum("/", 2643, "MB", warn: "5948", crit: "5958", min: 0, max: 5968),
                datum("/boot", 68, "MB", warn: "88", crit: "93", min: 0, max: 98),
                datum("/home", 69357, "MB", warn: "253404", crit: "253409", min: 0, max: 253_414),
                datum("/var/log", 818, "MB", warn: "970", crit: "975", min: 0, max: 980),
            ])),
    NagiosCase(
        name: "long text without perfdata, blank line kept, CRLF endings",
        output: "WARNING - 2 of 5 services degraded\r\nsvc-a: slow\r\n\r\nsvc-b: retrying\r\n\r\n",
        expected: NagiosOutput(
            message: "WARNING - 2 of 5 services degraded", longText: ["svc-a: slow", "", "svc-b: retrying"])),
    NagiosCase(
        name: "long text line starting with bar",
        output: "OK\ndetail\n| x=1;2;3\ny=2\n",
        expected: NagiosOutput(message: "OK", longText: ["detail"], perfdata: [datum("x", 1, warn: "2", crit: "3"), datum("y", 2)])),
    NagiosCase(
        name: "malformed items are skipped",
        output: "OK - mixed | good=1 foo bar=2 =5 x= y=U z=1.2.3 'unterminated=5 w=abc 'q'r=1 last=3.5e-3s;~:10;@0:20;-1;1e3\n",
        expected: NagiosOutput(
            message: "OK - mixed",
            perfdata: [
                datum("good", 1), datum("bar", 2),
                datum("last", 0.0035, "s", warn: "~:10", crit: "@0:20", min: -1, max: 1000),
            ])),
    NagiosCase(
        name: "lenient numbers and units",
        output: "OK | a=0,5 b=+3 c=.25 d=12KiB e=5MB;;;x;y f=1;;;;;extra\n",
        expected: NagiosOutput(
            message: "OK",
            perfdata: [
                datum("a", 0.5), datum("b", 3), datum("c", 0.25), datum("d", 12, "KiB"), datum("e", 5, "MB"),
                datum("f", 1),
            ])),
    NagiosCase(
        name: "stray bars between items",
        output: "OK | a=1 | b=2\n",
        expected: NagiosOutput(message: "OK", perfdata: [datum("a", 1), datum("b", 2)])),
    NagiosCase(
        name: "label with equals sign when quoted",
        output: "OK | 'a=b c'=7%;80;90;0;100\n",
        expected: NagiosOutput(message: "OK", perfdata: [datum("a=b c", 7, "%", warn: "80", crit: "90", min: 0, max: 100)])),
]

@Test(arguments: nagiosCases)
func parsesPluginOutput(_ c: NagiosCase) {
    #expect(NagiosOutput(parsing: c.output) == c.expected)
    #expect(NagiosOutput(parsing: Array(c.output.utf8)) == c.expected)
}

@Test func invalidUTF8IsReplacedNotFatal() {
    let output = NagiosOutput(parsing: [0x4F, 0x4B, 0x20, 0xFF, 0x7C, 0x61, 0x3D, 0x31])
    #expect(output.message == "OK \u{FFFD}")
    #expect(output.perfdata == [datum("a", 1)])
}

@Test func standardUnitsAreRecognised() {
    for unit in ["", "s", "ms", "us", "%", "B", "KB", "MB", "GB", "TB", "c"] {
        #expect(datum("x", 1, unit).hasStandardUnit, "\(unit)")
    }
    #expect(!datum("x", 1, "KiB").hasStandardUnit)
}

@Test(arguments: [
    (Int32(0), NagiosStatus.ok), (1, .warning), (2, .critical), (3, .unknown), (4, .unknown), (-1, .unknown),
    (126, .unknown), (127, .unknown), (255, .unknown),
])
func statusFromExitCode(_ code: Int32, _ status: NagiosStatus) {
    #expect(NagiosStatus(exitCode: code) == status)
}

@Test func statusDescriptionAndExitCode() {
    #expect([NagiosStatus.ok, .warning, .critical, .unknown].map(\.description) == ["OK", "WARNING", "CRITICAL", "UNKNOWN"])
    #expect([NagiosStatus.ok, .warning, .critical, .unknown].map(\.exitCode) == [0, 1, 2, 3])
}

struct RangeCase: Sendable, CustomTestStringConvertible {
    var text: String
    var range: NagiosRange?
    /// (value, alerts)
    var checks: [(Double, Bool)]

    var testDescription: String { "'\(text)'" }
}

private let rangeCases: [RangeCase] = [
    RangeCase(text: "10", range: NagiosRange(start: 0, end: 10), checks: [(-1, true), (0, false), (10, false), (10.5, true)]),
    RangeCase(text: "10:", range: NagiosRange(start: 10, end: .infinity), checks: [(9.9, true), (10, false), (1e9, false)]),
    RangeCase(text: "~:10", range: NagiosRange(start: -.infinity, end: 10), checks: [(-1e9, false), (10, false), (11, true)]),
    RangeCase(text: "10:20", range: NagiosRange(start: 10, end: 20), checks: [(9, true), (15, false), (21, true)]),
    RangeCase(
        text: "@10:20", range: NagiosRange(start: 10, end: 20, alertInside: true),
        checks: [(9, false), (10, true), (20, true), (21, false)]),
    RangeCase(text: ":5", range: NagiosRange(start: 0, end: 5), checks: [(-1, true), (5, false)]),
    RangeCase(text: "-5:-1", range: NagiosRange(start: -5, end: -1), checks: [(-3, false), (0, true)]),
    RangeCase(text: "20:10", range: nil, checks: []),
    RangeCase(text: "", range: nil, checks: []),
    RangeCase(text: "abc", range: nil, checks: []),
    RangeCase(text: "@", range: nil, checks: []),
    RangeCase(text: "1:x", range: nil, checks: []),
]

@Test(arguments: rangeCases)
func parsesThresholdRanges(_ c: RangeCase) throws {
    #expect(NagiosRange(parsing: c.text) == c.range)
    guard let range = c.range else { return }
    for (value, alerts) in c.checks {
        #expect(range.alerts(value) == alerts, "\(value)")
    }
}

@Test func perfDatumExposesRanges() {
    let d = datum("load1", 3, warn: "2", crit: "@5:")
    #expect(d.warnRange == NagiosRange(start: 0, end: 2))
    #expect(d.critRange == NagiosRange(start: 5, end: .infinity, alertInside: true))
    #expect(d.warnRange?.alerts(d.value) == true)
    #expect(d.critRange?.alerts(d.value) == false)
}
