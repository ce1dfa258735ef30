import HealthCore

/// A probe's card kept between renders. Its text is final except for the ages counted from now ("healthy
/// for 3h 12m", "stale for 5m", "Last run 12s ago"), which change every second: the card keeps holes for
/// them, filled in each render, so a page of unchanged probes is mostly copied.
extension StatusPage {
    struct Card: Sendable {
        enum Hole: Sendable { case since, stale, lastRun }

        var text: String
        /// UTF-8 offsets into `text`, in order.
        var holes: [(at: Int, kind: Hole)]
    }

    /// What a card was rendered from besides its chart: every snapshot field it shows, with `staleFor` only as present or not and the certificate by whole
    /// days left (both change with now).
    struct CardKey: Sendable {
        var id: Int
        var name: String, kind: String, critical: Bool, health: Health?, since: Timestamp?, lastRun: Timestamp?
        var latencyMs: Double?, value: Double?, stale: Bool, valueSource: String?, noData: Bool
        var details: [DetailRow]?, consecutiveFailures: Int, error: ProbeFailure?, message: String?, reasons: [String]
        var cert: CertExpiry?

        init(_ p: ProbeSnapshot, id: Int, cert: CertExpiry?) {
            self.id = id
            self.cert = cert
            (name, kind, critical, health, since, lastRun) = (p.name, p.kind, p.critical, p.health, p.since, p.lastRun)
            (latencyMs, value, stale, valueSource, noData) = (p.latencyMs, p.value, p.staleFor != nil, p.valueSource, p.noData)
            (details, consecutiveFailures, error, message, reasons) = (p.details, p.consecutiveFailures, p.error, p.message, p.reasons)
        }

        /// `self == CardKey(p, id: id, cert: cert)` without copying `p`'s strings and arrays (a retain each).
        func matches(_ p: ProbeSnapshot, id: Int, cert: CertExpiry?) -> Bool {
            self.id == id && self.cert == cert && name == p.name && kind == p.kind && critical == p.critical && health == p.health
                && since == p.since && lastRun == p.lastRun && latencyMs == p.latencyMs && value == p.value
                && stale == (p.staleFor != nil) && valueSource == p.valueSource && noData == p.noData
                && details == p.details && consecutiveFailures == p.consecutiveFailures && error == p.error
                && message == p.message && reasons == p.reasons
        }
    }

    static func card(_ p: ProbeSnapshot, id: Int, cert: CertExpiry?, rules: ProbeRules?, points: [ChartPoint]) -> Card {
        var page = StatusPage(capacity: 6000)
        page.probe(p, id: id, cert: cert, rules: rules, points: points)
        // Maybe kept: a copy of exactly its length, not the room reserved for the largest card.
        let utf8 = page.out.utf8
        let text = String(unsafeUninitializedCapacity: utf8.count) { $0.initialize(fromContentsOf: utf8) }
        return Card(text: text, holes: page.holes)
    }

    /// Marks where the text for `kind` goes.
    mutating func hole(_ kind: Card.Hole) { holes.append((out.utf8.count, kind)) }
}

extension StatusPage.Card {
    /// Appends the card with its holes filled in for `p` at `now`.
    func append(to page: inout StatusPage, for p: ProbeSnapshot, now: Timestamp) {
        var from = text.startIndex
        for (offset, kind) in holes {
            let at = text.utf8.index(text.startIndex, offsetBy: offset)  // O(1): the text is native UTF-8
            page.out += text[from..<at]
            switch kind {
            case .since: if let since = p.since { page.out += StatusPage.age(now - since) }
            case .stale: if let stale = p.staleFor { page.out += StatusPage.age(stale) }
            case .lastRun: if let last = p.lastRun { page.out += StatusPage.age(now - last) }
            }
            from = at
        }
        page.out += text[from...]
    }
}
