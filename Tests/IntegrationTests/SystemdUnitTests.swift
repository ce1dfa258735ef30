import Foundation
import Testing

/// The shipped units in systemd/: `systemd-analyze verify` has nothing to say about them, and the
/// service's sandbox keeps `systemd-analyze security` at an exposure of 2.0 or less.
@Suite struct SystemdUnitTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let units = ["healthd.service", "healthd.socket"]
    static let maximumExposure = 2.0

    static func systemdAnalyze() throws -> String {
        let path = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first { FileManager.default.isExecutableFile(atPath: $0) }
        return try #require(path, "systemd-analyze is missing (Debian package systemd): the units in systemd/ cannot be checked")
    }

    /// The units copied into a temp dir, ExecStart= pointing at the built healthd: verify insists that
    /// the binary exists, and /usr/local/bin/healthd only does once installed. `edit` changes the service.
    static func unitsUnderTest(edit: (String) -> String = { $0 }) throws -> String {
        let dir = try DaemonHarness.makeDir()
        for unit in units {
            var text = try String(contentsOf: root.appendingPathComponent("systemd/\(unit)"), encoding: .utf8)
            if unit.hasSuffix(".service") {
                #expect(text.contains("\nExecStart=/usr/local/bin/healthd "), "the README installs healthd in /usr/local/bin")
                text = edit(text.replacingOccurrences(of: "=/usr/local/bin/healthd ", with: "=\(DaemonHarness.binary) "))
            }
            try text.write(toFile: "\(dir)/\(unit)", atomically: true, encoding: .utf8)
        }
        return dir
    }

    /// verify's exit status and what it printed about our units. `--recursive-errors=no`: any warning
    /// about the given units fails it, while a distribution unit pulled in as a dependency cannot.
    static func verify(_ dir: String) throws -> (status: Int32, ours: [String]) {
        let (status, output) = shell(try systemdAnalyze(), ["verify", "--recursive-errors=no"] + units.map { "\(dir)/\($0)" })
        let ours = output.split(separator: "\n").map(String.init).filter { $0.contains("healthd") }
        return (status, ours)
    }

    @Test func verifyIsClean() throws {
        let dir = try Self.unitsUnderTest()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (status, ours) = try Self.verify(dir)
        #expect(ours == [], "systemd-analyze verify complains about the units")
        #expect(status == 0)
    }

    /// The check above can fail: a unit systemd would warn about is caught, by status and by output.
    @Test func verifyCatchesAWarning() throws {
        let dir = try Self.unitsUnderTest { $0.replacingOccurrences(of: "\n[Service]\n", with: "\n[Service]\nNoSuchSetting=yes\n") }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (status, ours) = try Self.verify(dir)
        #expect(status != 0)
        #expect(ours.contains { $0.contains("Unknown key 'NoSuchSetting'") }, "\(ours)")
    }

    @Test func sandboxExposureAtMostTwo() throws {
        let unit = Self.root.appendingPathComponent("systemd/healthd.service").path
        let (status, output) = shell(try Self.systemdAnalyze(), ["security", "--offline=true", "--no-pager", unit])
        #expect(status == 0, "\(output)")
        // "→ Overall exposure level for healthd.service: 1.4 OK 🙂"
        let marker = "Overall exposure level for healthd.service: "
        let line = try #require(output.split(separator: "\n").first { $0.contains(marker) }, "no overall exposure in:\n\(output)")
        let figure = line[line.range(of: marker)!.upperBound...].split(separator: " ").first.map(String.init) ?? ""
        let exposure = try #require(Double(figure), "cannot read the exposure in \"\(line)\"")
        #expect(exposure <= Self.maximumExposure, "systemd-analyze security --offline=true:\n\(output)")
    }
}
