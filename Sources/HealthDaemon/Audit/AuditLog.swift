import Dispatch
import HealthCore
import HealthSys
#if canImport(Glibc)
import Glibc
#endif

/// The audit trail: one JSON object per line in `<state.dir>/audit.log`: every notification
/// attempt and every operator action. Rotated at `maxBytes` (audit.log.1 … .N); secrets are
/// scrubbed from each line before it is written. File I/O runs on a queue of its own.
final class AuditLog: Sendable {
    let path: String
    private let maxBytes: Int
    private let files: Int
    private let redactor: Redactor
    private let logger: Logger
    private let queue = DispatchQueue(label: "healthd.audit")
    private nonisolated(unsafe) var size = -1

    init(dir: String, maxBytes: Int, files: Int, logger: Logger) {
        self.path = dir + "/audit.log"
        self.maxBytes = maxBytes
        self.files = files
        self.redactor = logger.redactor
        self.logger = logger
    }

    /// Appends one entry: `time` and `type` first, then what `fields` writes.
    func record(_ type: String, _ fields: (inout JSONWriter) -> Void) {
        var w = JSONWriter()
        w.beginObject()
        w.field("time", Timestamp(nanoseconds: wallNanos()).iso8601(fractional: true))
        w.field("type", type)
        fields(&w)
        w.endObject()
        let line = Array((redactor.scrub(w.output) + "\n").utf8)
        queue.async { [self] in append(line) }
    }

    /// The last `count` entries, oldest first (looking into the rotated file when needed).
    func recent(_ count: Int, _ done: @escaping @Sendable ([String]) -> Void) {
        queue.async { [self] in
            var lines: [String] = []
            for file in [path, path + ".1"] where lines.count < count {
                let text = String(decoding: readAll(file), as: UTF8.self)
                lines = text.split(separator: "\n").suffix(count - lines.count).map(String.init) + lines
            }
            done(lines)
        }
    }

    /// Waits for every entry handed over so far to be written.
    func drain() async {
        await queue.drained()
    }

    private func append(_ line: [UInt8]) {
        if size < 0 { size = fileSize(path) }
        if size > 0, size + line.count > maxBytes { rotate() }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            logger.error("cannot write the audit log \(path): \(SystemError("open", errno: errno)) (does state.dir exist and belong to healthd?)")
            return
        }
        defer { close(fd) }
        let n = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n > 0 { size += n }
    }

    /// audit.log → .1 → .2 …; the oldest beyond `files` is removed.
    private func rotate() {
        unlink("\(path).\(files)")
        for i in stride(from: files - 1, through: 1, by: -1) { rename("\(path).\(i)", "\(path).\(i + 1)") }
        rename(path, path + ".1")
        size = 0
    }

    private func fileSize(_ file: String) -> Int {
        var st = stat()
        return stat(file, &st) == 0 ? Int(st.st_size) : 0
    }

    private func readAll(_ file: String) -> [UInt8] { (try? readFileBytes(file)) ?? [] }
}
