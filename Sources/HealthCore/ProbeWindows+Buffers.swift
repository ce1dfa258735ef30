// How the windows size their buffers: by what they hold, with little to spare, as full tiers keep the same bytes.
extension ProbeWindows {
    /// Bytes an array's buffer takes: its header and the capacity asked for (allocator rounding left out).
    static func bytes<T>(of array: [T]) -> Int {
        array.capacity == 0 ? 0 : arrayHeaderBytes + array.capacity * MemoryLayout<T>.stride
    }

    /// The elements of `array` in a buffer of their size.
    static func copy<T>(of array: [T], capacity: Int) -> [T] {
        [T](unsafeUninitializedCapacity: Swift.max(capacity, array.count)) { buffer, count in
            count = buffer.initialize(fromContentsOf: array)
        }
    }

    /// Makes room for `count` elements with 1/16 to spare, at most `limit`: appends alone would double the buffer.
    static func grow<T>(_ array: inout [T], toHold count: Int, limit: Int) {
        guard count > array.capacity else { return }
        array.reserveCapacity(Swift.min(limit, Swift.max(count + count / 16, 16)))
    }

    /// Makes room for `count` bytes of closed sketches (see `arenaCapacity`).
    static func growArena(_ arena: inout [UInt8], toHold count: Int) {
        guard count > arena.capacity else { return }
        arena.reserveCapacity(arenaCapacity(toHold: count))
    }

    /// A sketch arena's capacity for `count` bytes: 1/128 to spare, a bucket or so. Once a tier is full each close
    /// drops about what it adds, so the bytes only wander by a bucket or two; 1/16 kept ~0.8 KB idle in a week of hours.
    static func arenaCapacity(toHold count: Int) -> Int { Swift.max(count + count / 128, 16) }
}
