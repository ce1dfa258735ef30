import Testing
@testable import HealthCore

@Suite struct PeerTextTests {
    @Test func shortTextIsKept() {
        #expect(PeerText.capped("connection refused") == "connection refused")
        #expect(PeerText.capped(String(repeating: "x", count: 1024)).utf8.count == 1024)
    }

    @Test func longTextIsCutAtACharacterWithAMark() {
        let cut = PeerText.capped(String(repeating: "é", count: 1 << 20))
        #expect(cut.utf8.count <= 1024)
        #expect(cut.hasSuffix("…"))
        #expect(cut.dropLast().allSatisfy { $0 == "é" })
    }
}
