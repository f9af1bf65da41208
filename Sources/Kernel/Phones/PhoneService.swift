import Dispatch
import PluginAPI

/// The resolution chain: subjects, evidence, strategies, retries. One per kernel, built once
/// every plugin has registered its strategies; plugins reach it through `context.phones`.
///
/// A round is: the `evidence` strategy (what `learn` stored for the subject's key group),
/// then each strategy in order until one answers. A miss leaves the subject `pending` with a
/// round job due after the next `phone.retry_schedule` delay; after the last one it is
/// `unresolved`. `learn` resolves pending and unresolved subjects whenever evidence arrives.
final class PhoneService: Sendable {
    /// The kernel's job that runs one resolution round: `{"subject_id": N}`.
    static let roundJob = "kernel.phone_round"
    static let evidenceStrategy = "evidence"
    static let maxSubjectLength = 256
    static let maxSourceLength = 128
    static let maxNoteLength = 2000
    static let maxLabelLength = 128

    let services: KernelServices
    let normalizer: E164Normalizer
    /// In the order they run (after `evidence`).
    let strategies: [PhoneStrategyEntry]
    let retrySchedule: [ConfigDuration]

    init(services: KernelServices, normalizer: E164Normalizer, strategies: [PhoneStrategyEntry], retrySchedule: [ConfigDuration]) {
        self.services = services
        self.normalizer = normalizer
        self.strategies = strategies
        self.retrySchedule = retrySchedule
    }

    private var store: any Store { services.store }

    /// The key with its group locked for this transaction (PostgreSQL; see `PhoneKeys.lockGroups`).
    private func lock(_ key: StoredPhoneKey, in db: any SQLConnection) throws -> StoredPhoneKey {
        try PhoneKeys.lockGroups([key], in: db)[0]
    }

    private func reconciler() -> PhoneReconciler {
        let services = services
        return PhoneReconciler(now: services.clock.nowMillis) { name, payload, db in
            try ServicesEventBus(services: services).publish(name, payload: payload.jsonText(), in: db)
        }
    }

    // MARK: - registering subjects

    /// Pending, or already settled by its group's evidence ($6…$10): one row write, not an
    /// insert and an update (two entries in the status index).
    static let insertSubject = """
    INSERT INTO switchboard_phone_subjects (subject, key_id, status, rounds, created_at, updated_at, label, phone, source, rank, resolved_at)
    VALUES ($1, $2, $6, $4, $3, $3, $5, $7, $8, $9, $10)
    ON CONFLICT (subject) DO NOTHING RETURNING id
    """
    static let setRounds = "UPDATE switchboard_phone_subjects SET rounds = $2 WHERE id = $1 AND rounds < $2"
    static let insertAttempt = """
    INSERT INTO switchboard_phone_attempts (subject_id, round, strategy, outcome, latency_us, detail, at)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    """

    static func validate(subject: String) throws(PhoneError) {
        guard !subject.isEmpty else { throw PhoneError("a subject must not be empty") }
        guard subject.utf8.count <= maxSubjectLength else { throw PhoneError("a subject is at most \(maxSubjectLength) bytes") }
        guard !subject.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { throw PhoneError("a subject must not contain control characters") }
    }

    /// The subject's row, inserted (pending, then settled from its group's evidence) when new;
    /// `rounds` is 1 when the caller runs the first round now. A known subject registered
    /// again under another key links the two keys.
    private func register(key: PhoneKey, subject: String, label: String? = nil, rounds: Int, in db: any SQLConnection) throws -> (row: PhoneSubjectRow, isNew: Bool) {
        try Self.validate(subject: subject)
        if let label {
            guard !label.isEmpty, label.utf8.count <= Self.maxLabelLength, !label.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
                throw PhoneError("a label is 1 to \(Self.maxLabelLength) bytes without control characters")
            }
        }
        let now = services.clock.nowMillis
        let stored = try lock(PhoneKeys.ensure(key, now: now, in: db), in: db)
        if let row = try PhoneSubjectRow.load(subject: subject, in: db) {
            guard row.group != stored.group else { return (row, false) }
            let both = try PhoneKeys.lockGroups([StoredPhoneKey(id: row.keyID, group: row.group), stored], in: db)
            let group = try PhoneKeys.merge(both[0], both[1], in: db)
            _ = try reconciler().reconcile(group: group, in: db)
            return (try reload(row.id, in: db), false)
        }
        let evidence = try PhoneReconciler.evidence(group: stored.group, in: db)
        let pending = PhoneSubjectRow(newID: 0, subject: subject, key: key, stored: stored, rounds: rounds, now: now, label: label)
        let decision = evidence.isEmpty ? nil : PhoneReconciler.decide(evidence, current: pending)
        guard let id = try db.query(Self.insertSubject, [
            .text(subject), .integer(stored.id), .integer(now), .integer(Int64(rounds)), label.map(SQLValue.text) ?? .null,
            .text((decision?.status ?? .pending).rawValue), decision.map { .text($0.phone) } ?? .null,
            decision.map { .text($0.source) } ?? .null, decision.map { .integer(Int64($0.rank.rawValue)) } ?? .null,
            decision == nil ? .null : .integer(now),
        ]).first?.int("id") else {
            // Inserted by another instance since our read (PostgreSQL).
            guard let row = try PhoneSubjectRow.load(subject: subject, in: db) else { throw StorageError(.other, "phone subject insert returned no row") }
            return (row, false)
        }
        var row = pending
        row.id = id
        guard decision != nil else { return (row, true) }
        // Stored settled above; what follows from the decision (disagreements, events) is written here.
        var outcome = PhoneReconciler.Outcome()
        return (try reconciler().apply(evidence, to: row, outcome: &outcome, stored: true, in: db), true)
    }

    private func reload(_ id: Int64, in db: any SQLConnection) throws -> PhoneSubjectRow {
        guard let row = try PhoneSubjectRow.load(id: id, in: db) else { throw StorageError(.other, "phone subject \(id) vanished") }
        return row
    }

    private func record(_ attempts: [PhoneAttempt], subject: Int64, round: Int, in db: any SQLConnection) throws {
        let now = services.clock.nowMillis
        for attempt in attempts {
            try db.execute(Self.insertAttempt, [.integer(subject), .integer(Int64(round)), .text(attempt.strategy), .text(attempt.outcome.rawValue),
                                                .integer(attempt.latencyMicros), attempt.detail.map(SQLValue.text) ?? .null, .integer(now)])
        }
    }

    private static func micros(since start: UInt64) -> Int64 { Int64((DispatchTime.now().uptimeNanoseconds &- start) / 1000) }

    /// What the first transaction of `resolve` found. A finished subject's phone is parsed
    /// into its `PhoneResolution` after the commit, off the writer.
    private enum FirstStep: Sendable {
        case finished(PhoneSubjectRow)
        case runStrategies(subjectID: Int64, lookup: PhoneLookup, evidence: PhoneAttempt)
    }

    func resolve(key: PhoneKey, subject: String) async throws -> PhoneResolution {
        let first: FirstStep = try await store.write { [self] db in
            let started = DispatchTime.now().uptimeNanoseconds
            let (row, isNew) = try register(key: key, subject: subject, rounds: 1, in: db)
            guard isNew else { return .finished(row) }
            let evidence = PhoneAttempt(strategy: Self.evidenceStrategy, outcome: row.phone == nil ? .miss : .hit,
                                        latencyMicros: Self.micros(since: started))
            if row.phone != nil {
                try record([evidence], subject: row.id, round: 1, in: db)
                return .finished(row)
            }
            if strategies.isEmpty {
                try record([evidence], subject: row.id, round: 1, in: db)
                try finishMiss(row, round: 1, in: db)
                return .finished(try reload(row.id, in: db))
            }
            let lookup = PhoneLookup(key: row.key, linkedKeys: try PhoneKeys.keys(inGroup: row.group, in: db), subject: row.subject, round: 1)
            return .runStrategies(subjectID: row.id, lookup: lookup, evidence: evidence)
        }
        switch first {
        case .finished(let row):
            return try row.resolution(normalizer)
        case .runStrategies(let id, let lookup, let evidence):
            return try await runStrategies(subjectID: id, lookup: lookup, before: [evidence])
        }
    }

    func track(key: PhoneKey, subject: String, label: String? = nil, in db: any SQLConnection) throws -> PhoneResolution {
        let started = DispatchTime.now().uptimeNanoseconds
        let (row, isNew) = try register(key: key, subject: subject, label: label, rounds: 0, in: db)
        guard isNew else { return try row.resolution(normalizer) }
        if row.phone != nil {
            try record([PhoneAttempt(strategy: Self.evidenceStrategy, outcome: .hit, latencyMicros: Self.micros(since: started))],
                       subject: row.id, round: 1, in: db)
            try db.execute(Self.setRounds, [.integer(row.id), .integer(1)])
            var settled = row
            settled.rounds = 1
            return try settled.resolution(normalizer)
        }
        try enqueueRound(subject: row.id, round: 1, at: services.clock.nowMillis, in: db)
        return try row.resolution(normalizer)
    }

    // MARK: - rounds

    /// The job that runs round `rounds + 1` of a pending subject.
    func runRound(subjectID: Int64) async throws -> JobOutcome {
        let started = DispatchTime.now().uptimeNanoseconds
        let prepared: (PhoneLookup, Bool)? = try await store.read { db in
            guard let row = try PhoneSubjectRow.load(id: subjectID, in: db), row.status == .pending else { return nil }
            let lookup = PhoneLookup(key: row.key, linkedKeys: try PhoneKeys.keys(inGroup: row.group, in: db), subject: row.subject,
                                     round: row.rounds + 1)
            return (lookup, !(try PhoneReconciler.evidence(group: row.group, in: db)).isEmpty)
        }
        guard let (lookup, hasEvidence) = prepared else { return .done }
        let evidence = PhoneAttempt(strategy: Self.evidenceStrategy, outcome: hasEvidence ? .hit : .miss, latencyMicros: Self.micros(since: started))
        _ = try await runStrategies(subjectID: subjectID, lookup: lookup, before: [evidence], skipStrategies: hasEvidence)
        return .done
    }

    /// Runs the strategies in order until one answers, then records the round in one
    /// transaction: the attempts, the hit as evidence (which resolves the subject and its
    /// group), or the miss (the next retry, or `unresolved`).
    private func runStrategies(subjectID: Int64, lookup: PhoneLookup, before: [PhoneAttempt], skipStrategies: Bool = false) async throws -> PhoneResolution {
        var attempts = before
        var hit: (PhoneStrategyEntry, PhoneNumber)?
        if !skipStrategies {
            for strategy in strategies {
                let (phone, attempt) = await PhoneStrategyRunner.run(strategy, lookup)
                attempts.append(attempt)
                if let phone {
                    hit = (strategy, phone)
                    break
                }
            }
        }
        let found = hit
        let tried = attempts
        let round = lookup.round
        return try await store.write { [self] db in
            try record(tried, subject: subjectID, round: round, in: db)
            var row = try reload(subjectID, in: db)
            if db.dialect == .postgres {
                // Settle under the group's lock (see PhoneKeys.lockGroups), from the row as it stands then.
                _ = try lock(StoredPhoneKey(id: row.keyID, group: row.group), in: db)
                row = try reload(subjectID, in: db)
            }
            // Evidence may have arrived while the strategies ran; it settles the subject first.
            if row.phone == nil { _ = try reconciler().reconcile(group: row.group, in: db) }
            if let (strategy, phone) = found {
                _ = try learnEvidence(key: row.key, phone: phone, source: strategy.id, kind: strategy.kind, note: nil, in: db)
            }
            row = try reload(subjectID, in: db)
            try db.execute(Self.setRounds, [.integer(subjectID), .integer(Int64(round))])
            if row.phone == nil && row.status == .pending { try finishMiss(row, round: round, in: db) }
            return try reload(subjectID, in: db).resolution(normalizer)
        }
    }

    static let schedule = "UPDATE switchboard_phone_subjects SET next_attempt_at = $2, updated_at = $3 WHERE id = $1"
    static let giveUp = "UPDATE switchboard_phone_subjects SET status = 'unresolved', next_attempt_at = NULL, updated_at = $2 WHERE id = $1 AND status = 'pending'"

    /// After a round without a phone: the next round after its delay, or `unresolved`.
    private func finishMiss(_ row: PhoneSubjectRow, round: Int, in db: any SQLConnection) throws {
        let now = services.clock.nowMillis
        if round - 1 < retrySchedule.count {
            let due = now + retrySchedule[round - 1].milliseconds
            try db.execute(Self.schedule, [.integer(row.id), .integer(due), .integer(now)])
            try enqueueRound(subject: row.id, round: round + 1, at: due, in: db)
        } else {
            try db.execute(Self.giveUp, [.integer(row.id), .integer(now)])
            try ServicesEventBus(services: services).publish("phone.unresolved", payload: JSONValue.object([
                ("subject", .string(row.subject)), ("key", .string(row.key.description)), ("rounds", .integer(Int64(round))),
            ]).jsonText(), in: db)
        }
    }

    private func enqueueRound(subject: Int64, round: Int, at: Int64, in db: any SQLConnection) throws {
        try services.jobQueue().enqueue(JobRequest(name: Self.roundJob, payload: "{\"subject_id\":\(subject)}", runAt: at,
                                                   uniqueKey: "\(Self.roundJob):\(subject):\(round)"), in: db)
    }

    // MARK: - evidence

    static let insertEvidence = """
    INSERT INTO switchboard_phone_evidence (key_id, phone, source, rank, note, learned_at) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (key_id, phone, source) DO NOTHING RETURNING id
    """
    /// An operator's repeated assignment is their latest word: it moves to now.
    static let upsertManualEvidence = """
    INSERT INTO switchboard_phone_evidence (key_id, phone, source, rank, note, learned_at) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (key_id, phone, source) DO UPDATE SET learned_at = $6, note = $5, rank = $4 RETURNING id
    """

    func learn(key: PhoneKey, phone: PhoneNumber, source: String, kind: PhoneSourceKind, note: String?, in db: any SQLConnection) throws -> PhoneLearnResult {
        guard !source.isEmpty, source.utf8.count <= Self.maxSourceLength else {
            throw PhoneError("a source is a name of 1 to \(Self.maxSourceLength) bytes (metaflow.nfm_reply)")
        }
        guard source != Self.evidenceStrategy else { throw PhoneError("\"evidence\" is the kernel's strategy, not a source") }
        if let note, note.utf8.count > Self.maxNoteLength { throw PhoneError("a note is at most \(Self.maxNoteLength) bytes") }
        return try learnEvidence(key: key, phone: phone, source: source, kind: kind, note: note, in: db)
    }

    private func learnEvidence(key: PhoneKey, phone: PhoneNumber, source: String, kind: PhoneSourceKind, note: String?,
                               in db: any SQLConnection) throws -> PhoneLearnResult {
        let now = services.clock.nowMillis
        let stored = try lock(PhoneKeys.ensure(key, now: now, in: db), in: db)
        let sql = kind == .manual ? Self.upsertManualEvidence : Self.insertEvidence
        let inserted = try db.query(sql, [.integer(stored.id), .text(phone.e164), .text(source), .integer(Int64(kind.rawValue)),
                                          note.map(SQLValue.text) ?? .null, .integer(now)])
        guard !inserted.isEmpty else { return PhoneLearnResult(resolved: [], conflicts: [], isNew: false) }
        let outcome = try reconciler().reconcile(group: stored.group, in: db)
        return PhoneLearnResult(resolved: outcome.resolved, conflicts: outcome.conflicts, isNew: true)
    }

    func link(_ key: PhoneKey, _ other: PhoneKey, in db: any SQLConnection) throws {
        let now = services.clock.nowMillis
        let both = try PhoneKeys.lockGroups([try PhoneKeys.ensure(key, now: now, in: db), try PhoneKeys.ensure(other, now: now, in: db)],
                                            in: db)
        let (a, b) = (both[0], both[1])
        guard a.group != b.group else { return }
        let group = try PhoneKeys.merge(a, b, in: db)
        _ = try reconciler().reconcile(group: group, in: db)
    }

    func resolution(subject: String) async throws -> PhoneResolution? {
        try await store.read { [self] db in try PhoneSubjectRow.load(subject: subject, in: db)?.resolution(normalizer) }
    }

    /// Operator's assignment (`phones assign`): manual evidence for the subject's key.
    func assign(subject: String, phone: PhoneNumber, note: String?) async throws -> PhoneResolution {
        try await store.write { [self] db in
            guard let row = try PhoneSubjectRow.load(subject: subject, in: db) else { throw PhoneError("no subject \(subject)") }
            _ = try learn(key: row.key, phone: phone, source: "manual", kind: .manual, note: note, in: db)
            return try reload(row.id, in: db).resolution(normalizer)
        }
    }
}
