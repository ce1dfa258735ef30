/// Where the socket's `snapshot` answer comes from. The newest published JSON is status.json's content, so it is
/// read back from the file when a client asks and kept only until the next publish: at 10,000 probes it is ~9 MB
/// (0.9 KiB a probe) that nobody may ask for. Bytes the file does not hold — the restored snapshot before the first
/// write, or one whose write failed — are kept until a newer one is on disk.
///
/// Snapshots are numbered in the order they are published (the restored one is 0), so that a subscriber is never
/// sent one older than it has. Not thread-safe: `Publisher` keeps it under a lock.
struct LatestSnapshot {
    typealias Numbered = (json: [UInt8], generation: Int)

    /// Where an answer comes from, once the writes handed over before the question are done.
    enum Source: Equatable {
        case held(json: [UInt8], generation: Int)
        /// status.json, which should be `length` bytes of snapshot `generation`.
        case file(length: Int, generation: Int)
    }

    private(set) var published = 0
    private var written = (generation: 0, length: 0)
    private var unwritten: Numbered?
    private var readBack: Numbered?

    init(restored: [UInt8]) { unwritten = (restored, 0) }

    /// A snapshot is published: its number. What was read back is older now.
    mutating func publish() -> Int {
        published += 1
        readBack = nil
        return published
    }

    /// Snapshot `generation` is in status.json, replacing every older one.
    mutating func wrote(_ generation: Int, length: Int) {
        written = (generation, length)
        if let u = unwritten, u.generation < generation { unwritten = nil }
    }

    /// Snapshot `generation` could not be written: it is kept until a newer one is on disk.
    mutating func failedToWrite(_ json: [UInt8], generation: Int) {
        unwritten = (json, generation)
    }

    /// The newest published snapshot when it is in memory: an answer without waiting for the writes.
    var held: Numbered? {
        for kept in [readBack, unwritten] { if let kept, kept.generation == published { return kept } }
        return nil
    }

    /// The answer after the writes handed over before the question: the newest bytes held, or the file.
    var source: Source {
        if let h = held ?? unwritten { return .held(json: h.json, generation: h.generation) }
        return .file(length: written.length, generation: written.generation)
    }

    /// Bytes read back from the file for `generation`: kept for later questions while no newer one is published.
    mutating func read(_ json: [UInt8], generation: Int) {
        if generation == published, generation == written.generation { readBack = (json, generation) }
    }
}
