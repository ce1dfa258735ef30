@testable import HealthDaemon
import Testing

@Suite struct APILimitsTests {
    static let mib = 1 << 20

    /// What may wait for a client: any one answer (a 10,000-probe snapshot is ~9 MB, more than the 8 MiB a
    /// subscriber may fall behind), then up to 8 MiB or two answers of the size being added; no more.
    @Test(arguments: [
        (0, 9 * mib, true),  // one big snapshot
        (9 * mib, 9 * mib, true),  // the next while it is sent
        (9 * mib + 1, 9 * mib, false),  // a third would wait
        (8 * mib - 100, 100, true),
        (8 * mib - 100, 101, false),  // small answers: 8 MiB at most
        (0, 8 * mib + 1, true),
        (5 * mib, 4 * mib, false),  // neither within 8 MiB nor within two answers
    ])
    func pendingOutputIsBounded(_ pending: Int, _ adding: Int, _ admitted: Bool) {
        #expect(APIServer.Limits().admits(pending: pending, adding: adding) == admitted)
    }
}
