import Dispatch
import HealthCore
import HealthRender
import HealthSys
import Synchronization

/// Where a snapshot goes: files (written atomically on a queue of their own, since file I/O
/// blocks) and the API server (on the loop).
final class Publisher: Sendable {
    let dir: String
    private let logger: Logger
    private let files = DispatchQueue(label: "healthd.files")
    private let deliver: @Sendable (_ json: [UInt8], _ changed: Bool) -> Void
    /// When memory was last given back (monotonic ns), on `files`.
    private let lastTrim = Atomic<Int64>(0)

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
            runsAsBackgroundWork()
            do {
                try AtomicFile.write(json, to: jsonPath)
                try AtomicFile.write(prom, to: promPath)
                if let page { try AtomicFile.write(page.utf8, to: pagePath) }
            } catch {
                logger.error("cannot write snapshot in \(dir): \(error) (does the directory exist and belong to healthd?)")
            }
            if page != nil { giveBackFreedMemory() }
        }
    }

    /// Rendering a page and the snapshots between pages allocate and free a few KiB per probe, which glibc keeps in
    /// its arenas: 10,000 probes at 1 s grew ~100 MB a minute until the next checkpoint's trim (~9 ms). Trimming after
    /// a page, at most every 10 s, keeps RSS near the live heap for a few ms of this queue's time.
    private func giveBackFreedMemory() {
        let now = monotonicNanos()
        guard now - lastTrim.load(ordering: .relaxed) >= 10_000_000_000 else { return }
        lastTrim.store(now, ordering: .relaxed)
        trimMemory()
    }

    /// Waits until every write handed over so far is on disk.
    func drain() async {
        await files.drained()
    }
}
