import PluginAPI

/// Decides every subject's phone in a group of linked keys from the group's evidence, in the
/// caller's transaction. The one place the "never a wrong number" rules live:
///
/// - an operator's assignment (`manual`, the latest) beats everything and clears a conflict;
/// - otherwise observed evidence: a subject keeps the observed phone it has, or takes the
///   first observed one; every other observed phone is a conflict, recorded once, flagged
///   (status `conflict`) and published as `phone.conflict`;
/// - otherwise a pattern-derived phone (the first);
/// - a pattern-derived phone replaced by observed evidence is recorded as `pattern_replaced`
///   (not a conflict: the guess was simply wrong).
///
/// A subject whose phone changes gets `phone.resolved`.
struct PhoneReconciler {
    let now: Int64
    let publish: (_ event: String, _ payload: JSONValue, _ db: any SQLConnection) throws -> Void

    struct Evidence {
        var id: Int64
        var phone: String
        var source: String
        var rank: PhoneSourceKind
        var learnedAt: Int64
    }

    struct Outcome {
        var resolved: [String] = []
        var conflicts: [String] = []
    }

    static let evidenceInGroup = """
    SELECT e.id, e.phone, e.source, e.rank, e.learned_at FROM switchboard_phone_evidence e
    JOIN switchboard_phone_keys k ON k.id = e.key_id WHERE k.group_id = $1 ORDER BY e.id
    """
    static let update = """
    UPDATE switchboard_phone_subjects SET status = $2, phone = $3, source = $4, rank = $5, updated_at = $6,
        resolved_at = COALESCE(resolved_at, $6), next_attempt_at = NULL WHERE id = $1
    """
    static let recordDisagreement = """
    INSERT INTO switchboard_phone_disagreements (subject_id, kind, kept_phone, kept_source, other_phone, other_source, at)
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (subject_id, kind, other_phone, other_source) DO NOTHING RETURNING id
    """

    static func evidence(group: Int64, in db: any SQLConnection) throws -> [Evidence] {
        try db.query(evidenceInGroup, [.integer(group)]).map { row in
            let rank = PhoneSourceKind(rawValue: Int(try row.int("rank"))) ?? .pattern
            return Evidence(id: try row.int("id"), phone: try row.string("phone"), source: try row.string("source"), rank: rank,
                            learnedAt: try row.int("learned_at"))
        }
    }

    /// Applies the group's evidence to the group's subjects (all of them, or only `subjects`).
    func reconcile(group: Int64, in db: any SQLConnection) throws -> Outcome {
        let evidence = try Self.evidence(group: group, in: db)
        guard !evidence.isEmpty else { return Outcome() }
        var outcome = Outcome()
        for subject in try db.query(PhoneSubjectRow.inGroup, [.integer(group)]).map(PhoneSubjectRow.init) {
            _ = try apply(evidence, to: subject, outcome: &outcome, in: db)
        }
        return outcome
    }

    /// Settles one subject from its group's evidence; returns the subject as it now stands.
    /// `stored`: the subject's row was inserted already settled by this decision (see
    /// `PhoneService.register`), so only what follows from it (disagreements, events) is written.
    func apply(_ evidence: [Evidence], to subject: PhoneSubjectRow, outcome: inout Outcome, stored: Bool = false,
               in db: any SQLConnection) throws -> PhoneSubjectRow {
        let decision = Self.decide(evidence, current: subject)
        guard let decision else { return subject }
        for other in decision.disagreements {
            let inserted = try db.query(Self.recordDisagreement, [
                .integer(subject.id), .text(other.kind), .text(decision.phone), .text(decision.source),
                .text(other.evidence.phone), .text(other.evidence.source), .integer(now),
            ])
            if !inserted.isEmpty && other.kind == "conflict" {
                try publish("phone.conflict", .object([
                    ("subject", .string(subject.subject)), ("phone", .string(decision.phone)), ("source", .string(decision.source)),
                    ("other_phone", .string(other.evidence.phone)), ("other_source", .string(other.evidence.source)),
                ]), db)
            }
        }
        let changed = decision.phone != subject.phone || decision.source != subject.source || decision.rank != subject.rank
            || decision.status != subject.status
        guard changed else { return subject }
        if !stored {
            try db.execute(Self.update, [.integer(subject.id), .text(decision.status.rawValue), .text(decision.phone), .text(decision.source),
                                         .integer(Int64(decision.rank.rawValue)), .integer(now)])
        }
        if decision.status == .conflict && subject.status != .conflict { outcome.conflicts.append(subject.subject) }
        if decision.phone != subject.phone {
            outcome.resolved.append(subject.subject)
            try publish("phone.resolved", .object([
                ("subject", .string(subject.subject)), ("phone", .string(decision.phone)), ("source", .string(decision.source)),
                ("source_kind", .string(decision.rank.description)), ("previous_phone", .optional(subject.phone)),
                ("key", .string(subject.key.description)), ("status", .string(decision.status.rawValue)),
            ]), db)
        }
        var updated = subject
        updated.phone = decision.phone
        updated.source = decision.source
        updated.rank = decision.rank
        updated.status = decision.status
        updated.updatedAt = now
        updated.resolvedAt = subject.resolvedAt ?? now
        updated.nextAttemptAt = nil
        return updated
    }

    struct Disagreement {
        var kind: String
        var evidence: Evidence
    }

    struct Decision {
        var phone: String
        var source: String
        var rank: PhoneSourceKind
        var status: PhoneResolutionStatus
        var disagreements: [Disagreement]
    }

    /// The subject's phone given every piece of evidence in its group; nil when there is none.
    static func decide(_ evidence: [Evidence], current: PhoneSubjectRow) -> Decision? {
        if let manual = evidence.filter({ $0.rank == .manual }).max(by: { ($0.learnedAt, $0.id) < ($1.learnedAt, $1.id) }) {
            return Decision(phone: manual.phone, source: manual.source, rank: .manual, status: .resolved, disagreements: [])
        }
        let observed = evidence.filter { $0.rank == .observed }
        if let first = observed.first {
            // The first observed phone this subject got stays; a later disagreeing source cannot displace it.
            var kept = (phone: first.phone, source: first.source)
            if current.rank == .observed, let phone = current.phone, let source = current.source { kept = (phone, source) }
            var disagreements = observed.filter { $0.phone != kept.phone }.map { Disagreement(kind: "conflict", evidence: $0) }
            if current.rank == .pattern, let guess = current.phone, guess != kept.phone {
                disagreements.append(Disagreement(kind: "pattern_replaced",
                                                  evidence: Evidence(id: 0, phone: guess, source: current.source ?? "pattern", rank: .pattern,
                                                                     learnedAt: 0)))
            }
            let conflicted = disagreements.contains { $0.kind == "conflict" }
            return Decision(phone: kept.phone, source: kept.source, rank: .observed, status: conflicted ? .conflict : .resolved,
                            disagreements: disagreements)
        }
        guard let first = evidence.first(where: { $0.rank == .pattern }) else { return nil }
        if current.rank == .pattern, let phone = current.phone, let source = current.source {
            return Decision(phone: phone, source: source, rank: .pattern, status: .resolved, disagreements: [])
        }
        return Decision(phone: first.phone, source: first.source, rank: .pattern, status: .resolved, disagreements: [])
    }
}
