import PluginAPI

/// The operator's view of phone resolution (`switchboard phones …`, `/api/admin/phones/…`):
/// the capture-rate report, the review queues, one subject's history, and assignment.
struct PhoneQueries: Sendable {
    let store: any Store
    let service: PhoneService

    // MARK: - report

    // The value types are PluginAPI's: plugins (Integrity) read the same report.
    typealias SourceCount = PhoneReport.SourceCount
    typealias DayCount = PhoneReport.DayCount
    typealias Report = PhoneReport

    static let statusCounts = "SELECT status, COUNT(*) AS n FROM switchboard_phone_subjects"
    static let statusCountsTail = " GROUP BY status"
    static let sourceCounts = "SELECT source, rank, COUNT(*) AS n FROM switchboard_phone_subjects"
    static let sourceCountsTail = " GROUP BY source, rank ORDER BY n DESC, source"
    static let dayCounts = """
    SELECT created_at / 86400000 AS day, COUNT(*) AS n, SUM(CASE WHEN status = 'resolved' THEN 1 ELSE 0 END) AS resolved
    FROM switchboard_phone_subjects
    """
    static let dayCountsTail = " GROUP BY created_at / 86400000 ORDER BY day"
    static let resolvedOnly = "status = $?"
    static let createdSince = "created_at >= $?"
    static let labelIs = "label = $?"

    /// The scope's conditions (and `resolvedOnly` first when asked).
    static func filter(_ scope: PhoneSubjectScope, resolvedOnly: Bool = false) -> SQLFilter {
        var filter = SQLFilter()
        if resolvedOnly { filter.add(Self.resolvedOnly, .text(PhoneResolutionStatus.resolved.rawValue)) }
        if let since = scope.since { filter.add(Self.createdSince, .integer(since)) }
        if let label = scope.label { filter.add(Self.labelIs, .text(label)) }
        return filter
    }

    func report(_ scope: PhoneSubjectScope = PhoneSubjectScope()) async throws -> Report {
        let all = Self.filter(scope)
        let resolved = Self.filter(scope, resolvedOnly: true)
        return try await store.read { db in
            var counts: [PhoneResolutionStatus: Int64] = [:]
            for row in try db.query(Self.statusCounts + all.whereClause + Self.statusCountsTail, all.parameters) {
                if let status = PhoneResolutionStatus(rawValue: try row.string("status")) { counts[status] = try row.int("n") }
            }
            let bySource = try db.query(Self.sourceCounts + resolved.whereClause + Self.sourceCountsTail, resolved.parameters).map { row in
                SourceCount(source: try row.optionalString("source") ?? "-",
                            kind: PhoneSourceKind(rawValue: Int(try row.optionalInt("rank") ?? 0)) ?? .pattern, subjects: try row.int("n"))
            }
            let byDay = try db.query(Self.dayCounts + all.whereClause + Self.dayCountsTail, all.parameters).map { row in
                DayCount(day: String(RFC3339.format(millis: try row.int("day") * 86_400_000).prefix(10)), subjects: try row.int("n"),
                         resolved: try row.optionalInt("resolved") ?? 0)
            }
            return Report(counts: counts, bySource: bySource, byDay: byDay)
        }
    }

    // MARK: - subjects

    struct Filter: Sendable, Equatable {
        /// Nil: the review queues (pending, unresolved, conflict).
        var statuses: [PhoneResolutionStatus]?
        var limit: Int?
        /// Subjects with a larger row id (paging).
        var after: Int64?
        var scope = PhoneSubjectScope()
        static let reviewStatuses: [PhoneResolutionStatus] = [.pending, .unresolved, .conflict]
    }

    typealias Subject = PhoneSubjectPage.Entry

    func subjects(_ filter: Filter) async throws -> AdminQueries.Page<Subject> {
        let statuses = filter.statuses ?? Filter.reviewStatuses
        let normalizer = service.normalizer
        return try await store.read { db in
            var parameters: [SQLValue] = statuses.map { .text($0.rawValue) }
            let placeholders = (1...statuses.count).map { "$\($0)" }.joined(separator: ", ")
            var sql = "SELECT \(PhoneSubjectRow.columns) FROM switchboard_phone_subjects s JOIN switchboard_phone_keys k ON k.id = s.key_id "
                + "WHERE s.status IN (\(placeholders))"
            if let after = filter.after {
                parameters.append(.integer(after))
                sql += " AND s.id > $\(parameters.count)"
            }
            if let since = filter.scope.since {
                parameters.append(.integer(since))
                sql += " AND s.created_at >= $\(parameters.count)"
            }
            if let label = filter.scope.label {
                parameters.append(.text(label))
                sql += " AND s.label = $\(parameters.count)"
            }
            sql += " ORDER BY s.id"
            if let limit = filter.limit {
                parameters.append(.integer(Int64(limit) + 1))
                sql += " LIMIT $\(parameters.count)"
            }
            var rows = try db.query(sql, parameters).map(PhoneSubjectRow.init)
            var next: Int64?
            if let limit = filter.limit, rows.count > limit {
                rows.removeLast(rows.count - limit)
                next = rows.last?.id
            }
            return AdminQueries.Page(items: try rows.map { Subject(id: $0.id, resolution: try $0.resolution(normalizer)) }, next: next)
        }
    }

    typealias Attempt = PhoneSubjectHistory.Attempt
    typealias Disagreement = PhoneSubjectHistory.Disagreement
    typealias Detail = PhoneSubjectHistory

    func detail(subject name: String) async throws -> Detail {
        let normalizer = service.normalizer
        return try await store.read { db in
            guard let row = try PhoneSubjectRow.load(subject: name, in: db) else { throw AdminError.notFound("no phone subject \(name)") }
            let attempts = try db.query("SELECT round, strategy, outcome, latency_us, detail, at FROM switchboard_phone_attempts WHERE subject_id = $1 ORDER BY id",
                                        [.integer(row.id)]).map { a in
                Attempt(round: try a.int("round"), strategy: try a.string("strategy"), outcome: try a.string("outcome"),
                        latencyMicros: try a.int("latency_us"), detail: try a.optionalString("detail"), at: try a.int("at"))
            }
            let disagreements = try db.query("""
                SELECT kind, kept_phone, kept_source, other_phone, other_source, at FROM switchboard_phone_disagreements
                WHERE subject_id = $1 ORDER BY id
                """, [.integer(row.id)]).map { d in
                Disagreement(kind: try d.string("kind"), keptPhone: try d.string("kept_phone"), keptSource: try d.string("kept_source"),
                             otherPhone: try d.string("other_phone"), otherSource: try d.string("other_source"), at: try d.int("at"))
            }
            return Detail(subject: Subject(id: row.id, resolution: try row.resolution(normalizer)),
                          linkedKeys: try PhoneKeys.keys(inGroup: row.group, in: db), attempts: attempts, disagreements: disagreements)
        }
    }

    // MARK: - assignment

    /// An operator's assignment: manual evidence for the subject's key, with their note.
    func assign(subject: String, phone: String, region: String?, note: String?) async throws -> PhoneResolution {
        let number: PhoneNumber
        do {
            number = try service.normalizer.normalize(phone, region: region ?? service.normalizer.defaultRegion)
        } catch {
            throw AdminError.invalid("phone", "not a phone number: \(error)")
        }
        if let note, note.utf8.count > PhoneService.maxNoteLength { throw AdminError.invalid("note", "at most \(PhoneService.maxNoteLength) bytes") }
        guard try await store.read({ db in try PhoneSubjectRow.load(subject: subject, in: db) != nil }) else {
            throw AdminError.notFound("no phone subject \(subject)")
        }
        return try await service.assign(subject: subject, phone: number, note: note)
    }
}
