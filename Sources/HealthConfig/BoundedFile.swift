import Foundation

/// Reads at most a given number of bytes of a file, so that a path naming /dev/zero or a huge file
/// is refused instead of read until memory runs out.
enum BoundedFile {
    enum Contents {
        case data(Data)
        /// Missing, not permitted, a directory…
        case unreadable
        /// Longer than the limit.
        case tooLarge
    }

    static func read(_ path: String, limit: Int) -> Contents {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .unreadable }
        defer { try? handle.close() }
        let read: Data?
        do { read = try handle.read(upToCount: limit + 1) } catch { return .unreadable }
        let data = read ?? Data()  // nil: the file is empty
        return data.count > limit ? .tooLarge : .data(data)
    }
}
