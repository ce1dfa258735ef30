/// Splits an input into reads the same way every time it is seen and differently for different
/// inputs, so libFuzzer explores splits along with contents and a crash replays exactly.
enum Chunks {
    static func split(_ input: [UInt8]) -> [ArraySlice<UInt8>] {
        // FNV-1a of the input seeds xorshift64.
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in input { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        state |= 1
        var chunks: [ArraySlice<UInt8>] = []
        var start = 0
        while start < input.count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            // Mostly tiny reads, which cut through every field, now and then a large one.
            let size: UInt64 =
                switch state & 3 {
                case 0: 1
                case 1: 1 + (state >> 8) % 8
                case 2: 1 + (state >> 8) % 64
                default: 1 + (state >> 8) % 4096
                }
            let end = min(input.count, start + Int(size))
            chunks.append(input[start..<end])
            start = end
        }
        return chunks
    }
}
