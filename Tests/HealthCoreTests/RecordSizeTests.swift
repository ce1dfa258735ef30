import Testing
@testable import HealthCore

/// What every probe holds hundreds of, at the size their comments promise: a closed bucket's header and a chart
/// point. A field added or widened shows here before it shows in the daemon's RSS.
@Test func perProbeRecordsKeepTheirSize() {
    #expect(MemoryLayout<ProbeWindows.StoredBucket>.stride == 16)
    #expect(MemoryLayout<ChartPoint>.stride == 32)
}
