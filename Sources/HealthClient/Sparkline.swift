/// Values as one line of Unicode blocks, ▁ lowest to █ highest; a gap (nil, NaN, ±Inf) is a space,
/// so a run of failures or an empty step shows as a hole rather than as a low value.
/// (Named apart from the status page's SVG `Sparkline` in HealthCore.)
package enum TextSparkline {
    package static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// `floor` widens the scale down to it (0 for latencies, so a rise reads as large as it is);
    /// `width` averages neighbouring values so the line fits (nil: one block per value).
    package static func render(_ values: [Double?], floor: Double? = nil, width: Int? = nil) -> String {
        var values = values.map { v in v.flatMap { $0.isFinite ? $0 : nil } }
        if let width, width > 0, values.count > width { values = resample(values, to: width) }
        guard let range = scale(values, floor: floor) else { return String(repeating: " ", count: values.count) }
        return String(values.map { v in v.map { blocks[level($0, range)] } ?? " " })
    }

    /// The lowest and highest finite value (and `floor`); nil when there is nothing to draw.
    package static func scale(_ values: [Double?], floor: Double? = nil) -> (lo: Double, hi: Double)? {
        let finite = values.compactMap { $0 }.filter(\.isFinite)
        guard var lo = finite.min(), let hi = finite.max() else { return nil }
        if let floor { lo = min(lo, floor) }
        return (lo, hi)
    }

    /// Index into `blocks`. A flat line sits in the middle, so it reads as steady rather than as
    /// zero or as a peak; a flat line of zeros sits at the bottom.
    static func level(_ v: Double, _ range: (lo: Double, hi: Double)) -> Int {
        guard range.hi > range.lo else { return v == 0 ? 0 : 3 }
        let x = ((v - range.lo) / (range.hi - range.lo) * Double(blocks.count - 1)).rounded()
        return min(max(Int(x), 0), blocks.count - 1)
    }

    /// `width` buckets, each the mean of the values that fall in it; nil where a bucket had none.
    package static func resample(_ values: [Double?], to width: Int) -> [Double?] {
        guard width > 0, values.count > width else { return values }
        return (0..<width).map { b in
            let bucket = values[b * values.count / width..<(b + 1) * values.count / width].compactMap { $0 }
            return bucket.isEmpty ? nil : bucket.reduce(0, +) / Double(bucket.count)
        }
    }
}
