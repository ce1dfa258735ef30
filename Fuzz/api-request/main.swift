import HealthAPI

// libFuzzer calls this with every input it tries; it supplies main (see scripts/fuzz).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let line = ArraySlice(UnsafeBufferPointer(start: data, count: size))
    do {
        _ = try APIRequest(line: line)
    } catch {
        // The answer to a bad line may quote it, but no more than that.
        precondition(error.message.utf8.count <= size + 1024, "a \(error.message.utf8.count)-byte answer to \(size) bytes")
    }
    return 0
}
