import FuzzTargets

// libFuzzer calls this with every input it tries; it supplies main (see scripts/fuzz).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTarget.journal.check(UnsafeBufferPointer(start: data, count: size))
    return 0
}
