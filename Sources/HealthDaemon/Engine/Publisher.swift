import Dispatch
import HealthCore
import HealthRender
import HealthSys
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where a snapshot goes: files, written atomically on a queue of their own since file I/O blocks. The socket's
/// subscribers get the JSON it returns; its `snapshot` answer comes from `newest`.
final class Publisher: Sendable {
    let dir: String
    private let logger: Logger
    private let files = DispatchQueue(label: "healthd.files")
    private let latest: Mutex<LatestSnapshot>
    /// When memory was last given back (monotonic ns), on `files`.
    private let lastTrim = Atomic<Int64>(0)

    /// `restored`: the JSON of the snapshot made at start, answered until the first is published.
    init(dir: String, logger: Logger, restored: [UInt8]) {
        self.dir = dir
        self.logger = logger
        latest = Mutex(LatestSnapshot(restored: restored))
    }

    var jsonPath: String { "\(dir)/status.json" }
    var promPath: String { "\(dir)/healthd.prom" }
    var pagePath: String { "\(dir)/status.html" }

    /// `page`: status.html when it was rendered this time. Returns the snapshot's JSON and number, for subscribers:
    /// its files are handed to the queue first, so a question asked after they have it is answered after they are written.
    func publish(_ snapshot: Snapshot, page: String?, changed: Bool) -> LatestSnapshot.Numbered {
        let json = Array((snapshot.json() + "\n").utf8)
        let prom = Array(snapshot.prometheusText().utf8)
        let generation = latest.withLock { $0.publish() }
        files.async { [self] in
            runsAsBackgroundWork()
            do {
                do {
                    try AtomicFile.write(json, to: jsonPath)
                    latest.withLock { $0.wrote(generation, length: json.count) }
                } catch {
                    latest.withLock { $0.failedToWrite(json, generation: generation) }
                    throw error
                }
                try AtomicFile.write(prom, to: promPath)
                if let page { try AtomicFile.write(page.utf8, to: pagePath) }
            } catch {
                logger.error("cannot write snapshot in \(dir): \(error) (does the directory exist and belong to healthd?)")
            }
            if page != nil { giveBackFreedMemory() }
        }
        return (json, generation)
    }

    /// The newest snapshot's JSON and number, to `reply` on any thread: at once when it is in memory, else read back
    /// from status.json after the writes handed over before.
    func newest(_ reply: @escaping @Sendable (Result<LatestSnapshot.Numbered, SystemError>) -> Void) {
        if let held = latest.withLock({ $0.held }) { return reply(.success(held)) }
        files.async { [self] in
            switch latest.withLock({ $0.source }) {
            case .held(let json, let generation):
                reply(.success((json, generation)))
            case .file(let length, let generation):
                do throws(SystemError) {
                    let json = try readFileBytes(jsonPath, maxBytes: length)
                    guard json.count == length else {
                        throw SystemError("read \(jsonPath): \(json.count) bytes, not the \(length) healthd wrote", errno: EIO)
                    }
                    latest.withLock { $0.read(json, generation: generation) }
                    reply(.success((json, generation)))
                } catch {
                    reply(.failure(error))
                }
            }
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
