import FoundationEssentials
import PluginAPI

/// `GET /metaflow/responses` and the CSV export: the filters, one page of records, and the
/// JSON each record is shown as.
struct ResponseListing: Sendable {
    static let maxLimit = 1000
    static let defaultLimit = 100
    static let statuses = [ResponseStore.inProgress, ResponseStore.completed]

    struct Filter: Sendable, Equatable {
        var flow: String?
        /// Unix milliseconds: records created at or after.
        var since: Int64?
        var status: String?
        var hasPhone: Bool?
        /// Records with a larger id (the previous page's `next`).
        var after: Int64?
        /// Nil: every match (the CSV export).
        var limit: Int?
    }

    /// A bad query parameter: answered 400 naming it.
    typealias BadParameter = BadQueryParameter

    static let known: Set<String> = ["flow", "since", "status", "has_phone", "limit", "after"]

    /// Reads the query strictly: unknown parameters and bad values are refused.
    static func filter(_ query: [String: String], now: Int64, paged: Bool) throws(BadParameter) -> Filter {
        try QueryParameters.checkKnown(query, known)
        var filter = Filter(limit: paged ? defaultLimit : nil)
        if let flow = query["flow"] {
            guard !flow.isEmpty else { throw BadParameter(parameter: "flow", detail: "must not be empty") }
            filter.flow = flow
        }
        if let since = query["since"] { filter.since = try QueryParameters.since(since, now: now) }
        if let status = query["status"] {
            guard statuses.contains(status) else { throw BadParameter(parameter: "status", detail: "expected in_progress or completed") }
            filter.status = status
        }
        if let hasPhone = query["has_phone"] {
            guard hasPhone == "true" || hasPhone == "false" else { throw BadParameter(parameter: "has_phone", detail: "expected true or false") }
            filter.hasPhone = hasPhone == "true"
        }
        if let after = query["after"] { filter.after = try QueryParameters.cursor(after, minimum: 0) }
        if let limit = query["limit"] { filter.limit = try QueryParameters.limit(limit, maximum: maxLimit) }
        return filter
    }

    struct Record: Sendable {
        var id: Int64
        var flow: String
        var token: String
        var phone: String?
        var phoneSource: String?
        var answers: [String: JSONValue]
        var status: String
        var createdAt: Int64
        var completedAt: Int64?
    }

    /// One page (or, without a limit, every match) in id order, and the cursor of the next page.
    static func records(_ filter: Filter, in db: any SQLConnection) throws -> (records: [Record], next: Int64?) {
        var sql = "SELECT id, flow, flow_token, phone, phone_source, answers, status, created_at, completed_at FROM metaflow_responses WHERE 1 = 1"
        var parameters: [SQLValue] = []
        func bind(_ clause: String, _ value: SQLValue) {
            parameters.append(value)
            sql += " AND " + clause.replacingLiteral("?", with: "$\(parameters.count)")
        }
        if let flow = filter.flow { bind("flow = ?", .text(flow)) }
        if let since = filter.since { bind("created_at >= ?", .integer(since)) }
        if let status = filter.status { bind("status = ?", .text(status)) }
        if let hasPhone = filter.hasPhone { sql += hasPhone ? " AND phone IS NOT NULL" : " AND phone IS NULL" }
        if let after = filter.after { bind("id > ?", .integer(after)) }
        sql += " ORDER BY id"
        if let limit = filter.limit {
            parameters.append(.integer(Int64(limit) + 1))
            sql += " LIMIT $\(parameters.count)"
        }
        var records = try db.query(sql, parameters).map { row in
            Record(id: try row.int("id"), flow: try row.string("flow"), token: try row.string("flow_token"),
                   phone: try row.optionalString("phone"), phoneSource: try row.optionalString("phone_source"),
                   answers: (try? JSONText.decode([String: JSONValue].self, from: Array(try row.string("answers").utf8))) ?? [:],
                   status: try row.string("status"), createdAt: try row.int("created_at"), completedAt: try row.optionalInt("completed_at"))
        }
        var next: Int64?
        if let limit = filter.limit, records.count > limit {
            records.removeLast(records.count - limit)
            next = records.last?.id
        }
        return (records, next)
    }

    static func timestamp(_ millis: Int64?) -> JSONValue {
        guard let millis else { return .null }
        return .string(Date(timeIntervalSince1970: Double(millis) / 1000).formatted(.iso8601))
    }

    static func json(_ record: Record) -> JSONValue {
        .object([
            "id": .integer(record.id), "flow": .string(record.flow), "flow_token": .string(record.token),
            "phone_number": record.phone.map(JSONValue.string) ?? .null, "phone_source": record.phoneSource.map(JSONValue.string) ?? .null,
            "answers": .object(record.answers), "status": .string(record.status),
            "created_at": timestamp(record.createdAt), "completed_at": timestamp(record.completedAt),
        ])
    }
}
