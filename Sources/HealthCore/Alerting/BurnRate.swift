/// An availability objective judged by multiwindow burn rates (Google SRE workbook, ch. 5): the
/// error ratio over a window divided by the error budget (1 − objective). A pair fires only when
/// both its long and its short window burn faster than its rate — the long one for significance,
/// the short one so the alert stops soon after the burning does.
package struct SLO: Sendable, Equatable {
    package struct Window: Sendable, Equatable {
        package var long: TimeSpan
        package var short: TimeSpan
        package var burn: Double
        package var level: Health

        package init(long: TimeSpan, short: TimeSpan, burn: Double, level: Health) {
            self.long = long
            self.short = short
            self.burn = burn
            self.level = level
        }
    }

    /// The workbook's recommended pairs: page on 2% of a 30-day budget in 1 h or 5% in 6 h,
    /// ticket on 10% in 3 days.
    package static let defaultWindows = [
        Window(long: .hours(1), short: .minutes(5), burn: 14.4, level: .down),
        Window(long: .hours(6), short: .minutes(30), burn: 6, level: .down),
        Window(long: .days(3), short: .hours(6), burn: 1, level: .degraded),
    ]

    package var objective: Double
    package var windows: [Window]

    package init(objective: Double, windows: [Window] = SLO.defaultWindows) {
        self.objective = objective
        self.windows = windows
    }

    /// The burn rate of an error ratio against this objective.
    package func burnRate(errorRatio: Double) -> Double { errorRatio / (1 - objective) }

    /// The worst level whose pair both burn above their rate, with the reason quoting both rates.
    func judge(_ windows: ProbeWindows, now: Timestamp) -> (Health, String)? {
        var worst: (Health, String)?
        for w in self.windows {
            guard let long = windows.stats(over: w.long, now: now).errorRate,
                  let short = windows.stats(over: w.short, now: now).errorRate else { continue }
            let (bl, bs) = (burnRate(errorRatio: long), burnRate(errorRatio: short))
            guard bl > w.burn, bs > w.burn, w.level > (worst?.0 ?? .healthy) else { continue }
            worst = (w.level, "error budget burning \(formatNumber(bl))× over \(w.long) and \(formatNumber(bs))× over \(w.short)"
                + " > \(formatNumber(w.burn))× (objective \(formatNumber(objective * 100))%)")
        }
        return worst
    }
}
