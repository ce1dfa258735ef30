import Dispatch
import HealthCore
import HealthRender
import HealthSys

/// Where a snapshot goes: files (written atomically on a queue of their own, since file I/O
/// blocks) and the API server (on the loop).
final class Publisher: Sendable {
    let dir: String
    private let logger: Logger
    private let files = DispatchQueue(label: "healthd.files")
    private let deliver: @Sendable (_ json: [UInt8], _ changed: Bool) -> Void

    init(dir: String, logger: Logger, deliver: @escaping @Sendable ([UInt8], Bool) -> Void) {
        self.dir = dir
        self.logger = logger
        self.deliver = deliver
    }

    var jsonPath: String { "\(dir)/status.json" }
    var promPath: String { "\(dir)/healthd.prom" }
    var pagePath: String { "\(dir)/status.html" }

    /// `page`: status.html when it was rendered this time.
    func publish(_ snapshot: Snapshot, page: String?, changed: Bool) {
        let json = Array((snapshot.json() + "\n").utf8)
        let prom = Array(snapshot.prometheusText().utf8)
        deliver(json, changed)
        files.async { [self] in
            do {
                try AtomicFile.write(json, to: jsonPath)
                try AtomicFile.write(prom, to: promPath)
                if let page { try AtomicFile.write(Array(page.utf8), to: pagePath) }
            } catch {
                logger.error("cannot write snapshot in \(dir): \(error) (does the directory exist and belong to healthd?)")
            }
        }
    }

    /// Waits until every write handed over so far is on disk.
    func drain() async {
        await files.drained()
    }
}
