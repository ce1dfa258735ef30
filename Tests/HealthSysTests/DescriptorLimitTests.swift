import Testing
@testable import HealthSys

@Suite struct DescriptorLimitTests {
    @Test func clientsGetWhatProbesAndHooksLeave() {
        #expect(DescriptorLimit.clientBudget(limit: 1024, probes: 200, hookSlots: 4) == 1024 - 64 - 816)
        #expect(DescriptorLimit.clientBudget(limit: 256, probes: 1000, hookSlots: 0) == 0)
    }

    @Test func theSoftLimitIsRaisedToTheHardOne() {
        let limit = DescriptorLimit.raiseToHard()
        #expect(limit >= 1024)
        #expect(DescriptorLimit.raiseToHard() == limit, "idempotent")
    }
}
