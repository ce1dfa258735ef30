/// Everything the evaluator tracks: the rules, and per probe its windows and state.
package struct MonitorSpec: Sendable, Equatable {
    package var probes: [ProbeRules]
    package var components: [ComponentRules]
    /// Windows shown per probe in the snapshot.
    package var snapshotWindows: [TimeSpan]

    package static let defaultSnapshotWindows: [TimeSpan] = [.minutes(5), .hours(1), .hours(24)]

    package init(probes: [ProbeRules], components: [ComponentRules] = [],
                snapshotWindows: [TimeSpan] = MonitorSpec.defaultSnapshotWindows) {
        self.probes = probes
        self.components = components
        self.snapshotWindows = snapshotWindows
    }
}

/// The pure heart of healthd: samples in, health and snapshots out. Time comes from the samples
/// and from the `now` the caller passes.
package struct Monitor: Sendable {
    package struct Entry: Sendable {
        package var rules: ProbeRules
        /// Every change, a sample or a restore, gives the history a new revision (for the stats cache).
        package var windows = ProbeWindows() {
            didSet {
                revision &+= 1
                windows.keepDays(keepsDays)
            }
        }
        package var state = ProbeState()
        private(set) var revision: UInt64 = 0
        /// What the windows took in since the last checkpoint or journal record saved them.
        var unsaved = UnsavedChanges(oldest: nil, ringAppended: 0)
        /// Since when a result is due: the monitor's start, or the reload that added the probe (see `overdue`).
        var watchedSince: Timestamp?
        /// Whether a window it reads (its rules' or the snapshot's) is longer than a day, which merged days speed up.
        let keepsDays: Bool

        /// Folds a sample its windows hold into its state. Here, not in `Monitor`, so that the windows are read in place:
        /// `entries[i].state.apply(…, windows: entries[i].windows)` copies them (a retain per array) for every sample.
        mutating func judge(_ sample: Sample, fallbackValue: Double?) -> Bool {
            state.apply(sample, rules: rules, windows: windows, fallbackValue: fallbackValue)
        }

        init(rules: ProbeRules, watchedSince: Timestamp?, snapshotWindows: [TimeSpan]) {
            self.rules = rules
            self.watchedSince = watchedSince
            keepsDays = max(rules.longestWindow, snapshotWindows.max() ?? .seconds(0)) > ProbeWindows.day
            windows.keepDays(keepsDays)
        }
    }

    /// The spec's components and snapshot windows; its probes' rules are the entries'. Not the spec itself: a second
    /// copy of every probe's rules (~150 bytes each) for nothing.
    private let components: [ComponentRules]
    private let snapshotWindows: [TimeSpan]
    /// Each snapshot window's slot among a probe's in `WindowStatsCache`; none for those within the raw ring's reach,
    /// which it answers from its samples and the cache never holds (a third of the cache, with the default windows).
    private let cacheSlots: (ofWindow: [Int?], perProbe: Int)
    package internal(set) var entries: [Entry]
    private let indexByName: [String: Int]
    /// Component members resolved once: indices into `entries`.
    private let componentMembers: [[Int]]
    /// Each probe's fallback, resolved once.
    private let fallbackIndex: [Int?]
    /// Each probe's `depends_on` parents, resolved once.
    let parentIndices: [[Int]]

    /// `startedAt`: when results began to be due, so that a probe that never answers is found overdue too
    /// (without it, only probes that have answered once can be).
    package init(spec: MonitorSpec, startedAt: Timestamp? = nil) {
        (components, snapshotWindows) = (spec.components, spec.snapshotWindows)
        let cached = spec.snapshotWindows.indices.filter { spec.snapshotWindows[$0] > ProbeWindows.RawRing.reach }
        cacheSlots = (spec.snapshotWindows.indices.map { cached.firstIndex(of: $0) }, cached.count)
        self.entries = spec.probes.map { Entry(rules: $0, watchedSince: startedAt, snapshotWindows: spec.snapshotWindows) }
        var index: [String: Int] = [:]
        for (i, p) in spec.probes.enumerated() { index[p.name] = i }
        self.indexByName = index
        self.componentMembers = spec.components.map { c in
            spec.probes.indices.filter { i in c.patterns.contains { globMatches($0, spec.probes[i].name) } }
        }
        self.fallbackIndex = spec.probes.map { p in p.fallback.flatMap { index[$0] } }
        self.parentIndices = spec.probes.map { p in p.dependsOn.compactMap { index[$0] } }
    }

    package func index(of name: String) -> Int? { indexByName[name] }

    /// Carries windows and state over from a previous monitor for the named probes (a reload that
    /// left their definitions unchanged keeps their history).
    package mutating func adopt(from old: Monitor, probes names: Set<String>) {
        for name in names {
            guard let new = indexByName[name], let prior = old.indexByName[name] else { continue }
            entries[new].windows = old.entries[prior].windows
            entries[new].unsaved = old.entries[prior].unsaved
            entries[new].state = old.entries[prior].state
            entries[new].watchedSince = old.entries[prior].watchedSince
        }
    }

    /// Replaces probe `i`'s history, as a restore would (benchmarks build checkpoints of long histories this way).
    package mutating func replaceWindows(of i: Int, with windows: ProbeWindows) {
        entries[i].windows = windows
        entries[i].unsaved = windows.unsavedWhole
    }

    /// Probe `i` as it is now has been saved (encoded into a checkpoint or journal record).
    package mutating func markSaved(_ i: Int) {
        entries[i].unsaved = entries[i].windows.saved
    }

    /// Records a sample and re-evaluates its probe. Returns true when the published state changed.
    /// Every probe's results enter the core here, so this is where a non-finite value becomes no data.
    /// A result for an overdue probe is a change even when its level is not: it is no longer overdue.
    @discardableResult
    package mutating func ingest(_ sample: Sample, probe i: Int) -> Bool {
        let sample = sample.withFiniteValue()
        let wasOverdue = overdue(i, now: sample.time) != nil
        entries[i].windows.record(sample)
        entries[i].unsaved.note(sample.time)
        let fallback = sample.ok ? nil : self.fallback(of: i)?.value
        let changed = entries[i].judge(sample, fallbackValue: fallback)
        return changed || wasOverdue
    }

    /// A snapshot computed afresh: for one-off snapshots (the API's first, tests); the engine keeps a cache.
    package func snapshot(now: Timestamp) -> Snapshot {
        var uncached = WindowStatsCache()
        return snapshot(now: now, cache: &uncached)
    }

    /// Pending probes count nowhere; the system's health is nil while every critical probe is pending (or nothing
    /// at all has been judged): a system whose critical probes have not answered is not known to be healthy. Window
    /// stats are reused from `cache` where they cannot have changed (see `WindowStatsCache`).
    package func snapshot(now: Timestamp, cache: inout WindowStatsCache) -> Snapshot {
        cache.prepare(slots: entries.count * cacheSlots.perProbe)
        let probes = entries.indices.map { probeSnapshot($0, now: now, cache: &cache) }
        var systemHealth: Health?
        var systemReasons: [String] = []
        var critical = 0, provenCritical = 0
        for (entry, p) in zip(entries, probes) {
            if entry.rules.critical { critical += 1 }
            guard let h = p.health else { continue }
            if entry.rules.critical { provenCritical += 1 }
            systemHealth = max(systemHealth ?? .healthy, entry.rules.critical ? h : min(h, .degraded))
            systemReasons += p.reasons.map { "\(p.name): \($0)" }
        }
        let components = self.components.enumerated().map { ci, rules in
            let members = componentMembers[ci]
            let healths = members.compactMap { probes[$0].health }
            var reasons: [String] = []
            for m in members where (probes[m].health ?? .healthy) > .healthy {
                reasons += probes[m].reasons.map { "\(probes[m].name): \($0)" }
            }
            return ComponentSnapshot(name: rules.name, critical: rules.critical, health: healths.max(),
                                     probes: members.map { probes[$0].name }, reasons: reasons)
        }
        for c in components {
            guard let h = c.health else { continue }
            systemHealth = max(systemHealth ?? .healthy, c.critical ? h : min(h, .degraded))
        }
        if critical > 0, provenCritical == 0 { systemHealth = nil }
        return Snapshot(generatedAt: now, health: systemHealth, reasons: systemReasons,
                        pendingCount: probes.count { $0.pending }, probes: probes, components: components)
    }

    /// The current value of probe `i`'s fallback, if it has one that is succeeding.
    private func fallback(of i: Int) -> (value: Double, source: String)? {
        guard let f = fallbackIndex[i], let last = entries[f].state.lastSample, last.ok, let v = last.value else { return nil }
        return (v, entries[f].rules.name)
    }

    func probeSnapshot(_ i: Int, now: Timestamp, cache: inout WindowStatsCache) -> ProbeSnapshot {
        let e = entries[i]
        let s = e.state
        let last = s.lastSample
        let failing = last?.ok == false
        let fallback = failing ? self.fallback(of: i) : nil
        let value = failing ? (fallback?.value ?? s.lastGoodValue) : last?.value
        let suppressedBy = suppressor(of: i)
        let late = overdue(i, now: now)
        return ProbeSnapshot(
            name: e.rules.name, kind: e.rules.kind, critical: e.rules.critical, health: s.health, since: s.since,
            lastRun: last?.time, ok: last?.ok, latencyMs: last?.latencyMs, timings: last?.timings, value: value,
            staleFor: failing && fallback == nil ? s.lastGoodValueTime.map { now - $0 } : nil,
            valueSource: fallback?.source, noData: last?.ok == true && last?.noData == true, details: s.lastDetails,
            consecutiveFailures: s.consecutiveFailures, error: last?.failure, message: last?.message,
            reasons: late.map { s.reasons + [overdueReason($0, interval: e.rules.interval)] } ?? s.reasons,
            windows: snapshotWindows.enumerated().map { k, window in
                (window, cache.stats(of: e.windows, revision: e.revision, slot: cacheSlots.ofWindow[k].map { i * cacheSlots.perProbe + $0 },
                                     over: window, now: now))
            },
            suppressedBy: suppressedBy, flapping: s.flaps.flapping, tls: s.lastTLS,
            awaitedParent: suppressedBy == nil ? awaitedParent(of: i) : nil, overdue: late != nil)
    }
}
