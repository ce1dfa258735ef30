import HealthCore

/// A small inline SVG chart for the status page: series over the same time steps (gaps where a
/// point has no data), dashed threshold lines, and the y-scale's top and bottom labelled on the right.
///
/// Coordinates are in tenths of a pixel, so every one prints as an integer: no floating-point
/// formatting per point, and 0.1 px is finer than any screen shows.
struct Sparkline {
    struct Series {
        /// One value per time step, oldest first; nil where the step had no data.
        var values: [Double?]
        /// CSS class giving the line its colour.
        var cssClass: String
    }

    struct Threshold {
        /// In the same unit as the series.
        var value: Double
        /// A down condition (red) rather than a degraded one (amber).
        var down: Bool
        /// The condition as configured, shown as the line's tooltip.
        var condition: String
    }

    /// The chart's size and spoken title, with the markup they alone decide made once.
    struct Frame: Sendable {
        /// Height of the plotting area, in tenths of a pixel like every coordinate.
        let plotHeight: Int
        /// `<svg …>` and the grid: top and bottom of the scale, and every 6 hours (a quarter of the day).
        let opening: String

        init(plotHeight: Int, title: String) {
            self.plotHeight = plotHeight
            let b = String(margin + plotHeight)
            // 3440 wide: the plot and a gutter for the labels.
            opening = "<svg class=\"spark\" viewBox=\"0 0 3440 \(margin * 2 + plotHeight)\" role=\"img\" aria-label=\""
                + htmlEscaped(title) + "\"><path class=\"g\" d=\"M0 40H2880M0 \(b)H2880"
                + "M720 40V\(b)M1440 40V\(b)M2160 40V\(b)\"/>"
        }
    }

    var frame: Frame
    var series: [Series]
    var thresholds: [Threshold] = []
    /// Latency charts start at 0, so that a rise reads as large as it is.
    var includeZero = false
    /// The highest value the metric can take (availability: 1), kept as the top when the data is flat.
    var ceiling: Double?
    /// Formats a y value with its unit for the labels.
    var format: (Double) -> String

    static let plotWidth = 2880  // 96 steps of 30
    /// Room above and below the plot for half a stroke, so lines at the edges are not cut.
    static let margin = 40
    private var bottom: Int { Self.margin + frame.plotHeight }

    /// The y range covering every value and threshold; nil when there is no data to draw.
    func yRange() -> (lo: Double, hi: Double)? {
        var lo = Double.infinity, hi = -Double.infinity
        for s in series {
            for case let v? in s.values where v.isFinite {
                lo = min(lo, v)
                hi = max(hi, v)
            }
        }
        guard lo <= hi else { return nil }
        for t in thresholds where t.value.isFinite {
            lo = min(lo, t.value)
            hi = max(hi, t.value)
        }
        if includeZero { lo = min(lo, 0) }
        if hi == lo {
            // A flat line: give it some room, keeping a ceiling on top (100 % stays at the top).
            let pad = hi == 0 ? 1 : abs(hi) * 0.05
            if let ceiling, hi >= ceiling {
                lo = hi - 2 * pad
            } else if includeZero, lo == 0 {
                hi = 2 * pad
            } else {
                (lo, hi) = (lo - pad, hi + pad)
            }
        }
        return (lo, hi)
    }

    /// Appends the `<svg>` drawn over `range` (from `yRange()`, which the caller has already checked).
    func render(into out: inout String, range: (lo: Double, hi: Double)) {
        let (lo, bottom) = (range.lo, self.bottom), scale = Double(frame.plotHeight) / (range.hi - range.lo)
        // Every value is ≥ lo, so adding 0.5 and truncating rounds (without a libm call per point).
        let y = { (v: Double) -> Int in bottom - Int((v - lo) * scale + 0.5) }
        out += frame.opening
        for t in thresholds where t.value.isFinite {
            out += t.down ? "<path class=\"t t-down\" d=\"M0 " : "<path class=\"t t-deg\" d=\"M0 "
            out += String(y(t.value))
            out += t.down ? "H2880\"><title>down: " : "H2880\"><title>degraded: "
            appendHTMLEscaped(t.condition, to: &out)
            out += "</title></path>"
        }
        for s in series where !s.values.isEmpty {
            out += "<path class=\""
            out += s.cssClass
            out += "\" d=\""
            out += PathText.shared.data(s.values, dx: s.values.count > 1 ? Self.plotWidth / (s.values.count - 1) : 0, y: y)
            out += "\"/>"
        }
        label(format(range.hi), y: Self.margin + 80, into: &out)
        label(format(range.lo), y: bottom, into: &out)
        out += "</svg>"
    }

    private func label(_ text: String, y: Int, into out: inout String) {
        out += "<text x=\"2940\" y=\""
        out += String(y)
        out += "\">"
        out += text  // a formatted number: nothing to escape
        out += "</text>"
    }
}

/// Writes path data with the spelling of every integer a chart uses made once, by `String(Int)`, and
/// packed eight bytes to a word: a page draws hundreds of points per probe, and appending a string
/// for each number was most of the cost of rendering it.
struct PathText: Sendable {
    static let shared = PathText()
    /// Covers every coordinate and difference of coordinates in a 3440 × 560 chart.
    static let limit = 4096
    private let words: [UInt64]  // the spelling of i − limit, little-endian
    private let lengths: [UInt8]

    init() {
        var words: [UInt64] = [], lengths: [UInt8] = []
        for v in -Self.limit...Self.limit {
            let text = String(v)
            words.append(text.utf8.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
            lengths.append(UInt8(text.utf8.count))
        }
        (self.words, self.lengths) = (words, lengths)
    }

    /// The `d` of a path through `values`, x advancing `dx` per value and y from `y`: a subpath per run
    /// without gaps, starting absolute (`M x y`) and going on relative (`l dx dy dx dy …`, the pairs after an
    /// `l` being more line-tos); a lone point is a dot (`h0`, drawn with round caps).
    func data(_ values: [Double?], dx: Int, y: (Double) -> Int) -> String {
        // At most 12 bytes a point; a number is stored as a whole word, so 8 bytes to spare at the end.
        String(unsafeUninitializedCapacity: values.count * 16 + 16) { buffer in
            let p = UnsafeMutableRawPointer(buffer.baseAddress!)
            var pos = 0, run = 0, lastY = 0  // run: points in the current subpath
            func byte(_ c: Unicode.Scalar) {
                p.storeBytes(of: UInt8(ascii: c), toByteOffset: pos, as: UInt8.self)
                pos += 1
            }
            func number(_ v: Int) {
                let i = min(max(v, -Self.limit), Self.limit) + Self.limit
                p.storeBytes(of: words[i], toByteOffset: pos, as: UInt64.self)
                pos += Int(lengths[i])
            }
            for (i, value) in values.enumerated() {
                guard let v = value, v.isFinite else {
                    if run == 1 { byte("h"); byte("0") }
                    run = 0
                    continue
                }
                let py = y(v)
                if run == 0 {
                    byte("M"); number(i * dx); byte(" "); number(py)
                } else {
                    byte(run == 1 ? "l" : " "); number(dx); byte(" "); number(py - lastY)
                }
                (run, lastY) = (run + 1, py)
            }
            if run == 1 { byte("h"); byte("0") }
            return pos
        }
    }
}

// MARK: - Thresholds: conditions drawn on the chart of their metric, in the chart's unit

extension Sparkline {
    enum Chart { case availability, latency, value }

    /// The probe's conditions that can be drawn on `chart`, degraded ones first.
    static func thresholds(_ rules: ProbeRules?, on chart: Chart) -> [Threshold] {
        guard let rules else { return [] }
        var result: [Threshold] = []
        for (conditions, down) in [(rules.degraded, false), (rules.down, true)] {
            for c in conditions {
                guard let v = thresholdValue(c, on: chart) else { continue }
                result.append(Threshold(value: v, down: down, condition: c.source))
            }
        }
        return result
    }

    /// Thresholds are stored in the metric's base unit (ms for latency, a fraction for ratios, the
    /// value's own unit for values), which is also the charts' unit; an error rate limit r is the
    /// availability limit 1 − r. Failures and value.delta have no chart.
    static func thresholdValue(_ c: Condition, on chart: Chart) -> Double? {
        switch (chart, c.metric) {
        case (.availability, .availability): c.threshold
        case (.availability, .errorRate): 1 - c.threshold
        case (.latency, .latency), (.latency, .latencyQuantile): c.threshold
        case (.value, .value), (.value, .valueMin), (.value, .valueMax), (.value, .valueAvg), (.value, .valueLast):
            c.threshold
        default: nil
        }
    }
}

// MARK: - Value formats for labels and facts (all through `formatNumber`, rounded first)

extension Sparkline {
    /// `99.95%`: two decimals at most, enough to tell 99.9 from 99.95.
    static func percent(_ fraction: Double) -> String {
        formatNumber((fraction * 10_000).rounded() / 100) + "%"
    }

    /// `0.42ms`, `12.3ms`, `612ms`, `1.25s`: about three significant digits.
    static func ms(_ ms: Double) -> String {
        if ms >= 1000 { return formatNumber((ms / 10).rounded() / 100) + "s" }
        if ms >= 100 { return formatNumber(ms.rounded()) + "ms" }
        if ms >= 10 { return formatNumber((ms * 10).rounded() / 10) + "ms" }
        return formatNumber((ms * 100).rounded() / 100) + "ms"
    }

    /// Axis labels must fit a narrow gutter: `1.2k`, `3.4M`, else `formatNumber` to two decimals.
    static func compact(_ v: Double) -> String {
        let a = abs(v)
        if a >= 1e9 { return formatNumber((v / 1e8).rounded() / 10) + "G" }
        if a >= 1e6 { return formatNumber((v / 1e5).rounded() / 10) + "M" }
        if a >= 1e4 { return formatNumber((v / 1e2).rounded() / 10) + "k" }
        return formatNumber((v * 100).rounded() / 100)
    }
}
