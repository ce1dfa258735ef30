import Testing
@testable import HealthCore
@testable import HealthDaemon

/// The Alertmanager hook's resends on a manual clock: every firing alert again each `resend`, none before, a
/// resolved one no more, and the set carried over a reload.
@Suite struct AlertmanagerResendsTests {
    static let second: Int64 = 1_000_000_000

    static func alert(_ name: String, _ event: Alert.Event) -> Alert {
        Alert(subject: AlertSubject(.probe, name), event: event, level: event == .resolved ? .healthy : .down,
              previousLevel: .down, reasons: [], value: nil, since: nil, startsAt: Timestamp(nanoseconds: 0), endsAt: nil)
    }

    @Test func firingAlertsAreSentAgainEachIntervalAndResolvedOnesNoMore() {
        let clock = ManualClock()
        var resends = AlertmanagerResends(every: .seconds(60), now: clock.monotonic)
        resends.record([Self.alert("b", .firing), Self.alert("a", .firing)])
        clock.advance(.seconds(59))
        #expect(resends.take(now: clock.monotonic).isEmpty, "a resend before its interval")
        clock.advance(.seconds(1))
        #expect(resends.take(now: clock.monotonic).map(\.subject.name) == ["a", "b"])
        #expect(resends.due == clock.monotonic + 60 * Self.second)
        resends.record([Self.alert("a", .resolved)])
        clock.advance(.seconds(60))
        #expect(resends.take(now: clock.monotonic).map(\.subject.name) == ["b"])
        resends.record([Self.alert("b", .resolved)])
        clock.advance(.seconds(60))
        #expect(resends.take(now: clock.monotonic).isEmpty, "nothing firing, nothing sent")
    }

    /// A timer that fires late (a busy loop) sends once and counts the next interval from then: no burst.
    @Test func aLateTimerSendsOnceAndKeepsThePace() {
        let clock = ManualClock()
        var resends = AlertmanagerResends(every: .seconds(60), now: clock.monotonic)
        resends.record([Self.alert("a", .firing)])
        clock.advance(.seconds(200))
        #expect(resends.take(now: clock.monotonic).count == 1)
        #expect(resends.take(now: clock.monotonic).isEmpty)
        #expect(resends.due == clock.monotonic + 60 * Self.second)
    }

    @Test func aReloadCarriesTheFiringSetOver() {
        let clock = ManualClock()
        var old = AlertmanagerResends(every: .seconds(60), now: clock.monotonic)
        old.record([Self.alert("a", .firing)])
        var new = AlertmanagerResends(every: .seconds(30), now: clock.monotonic)
        new.adopt(old)
        clock.advance(.seconds(30))
        #expect(new.take(now: clock.monotonic).map(\.subject.name) == ["a"])
    }
}
