/// Why a checkpoint could not be restored. Whatever the reason, nothing was restored: the caller sets the file aside
/// and the probes' history starts empty, which the descriptions tell the operator.
package enum CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not start with "HDCKPT": not a checkpoint at all.
    case badMagic
    /// Written in another format version (the one found), which this build cannot read.
    case unsupportedVersion(UInt16)
    /// The file ends before its declared length: an interrupted write or a full disk.
    case truncated
    /// The bytes do not match their CRC-32: changed on disk or in transit.
    case checksum
    /// The checksum matches yet the content is inconsistent (a writer bug, or a crafted file); says what.
    case corrupt(String)

    /// What is wrong, without what healthd does about it.
    package var detail: String {
        switch self {
        case .badMagic: "not a healthd file"
        case .unsupportedVersion(let found): "format version \(found)"
        case .truncated: "cut off"
        case .checksum: "fails its checksum"
        case .corrupt(let what): what
        }
    }

    package var description: String {
        let consequence = "it was set aside and history starts empty"
        return switch self {
        case .badMagic: "file is not a healthd checkpoint; \(consequence)"
        case .unsupportedVersion(let found):
            "checkpoint from another format version \(found) (this healthd reads \(Checkpoint.readable.lowerBound) to \(Checkpoint.readable.upperBound)); \(consequence)"
        case .truncated: "checkpoint is truncated (interrupted write or full disk?); \(consequence)"
        case .checksum: "checkpoint failed its checksum (damaged on disk?); \(consequence)"
        case .corrupt(let what): "checkpoint is inconsistent (\(what)); \(consequence)"
        }
    }
}
