import FoundationEssentials
import PluginAPI

/// `GET /cloudtalk/calls`: the filters, one page of calls (newest first) and the JSON each call
/// is shown as — exactly the members the issue fixes, times in RFC 3339.
struct CallListing: Sendable {
    static let maxLimit = 1000
    static let defaultLimit = 100
    static let statuses = ["answered", "missed"]

    struct Filter: Sendable, Equatable {
        var status: String?
        var followUpStatus: String?
        /// E.164.
        var phone: String?
        /// Unix milliseconds: calls recorded at or after.
        var since: Int64?
        /// Calls older than this row id (the previous page's `next`).
        var after: Int64?
        var limit: Int = defaultLimit
    }

    /// A bad query parameter: answered 400 naming it.
    typealias BadParameter = BadQueryParameter

    static let known: Set<String> = ["status", "follow_up_status", "phone", "since", "limit", "after"]

    /// Reads the query strictly: unknown parameters and bad values are refused.
    static func filter(_ query: [String: String], now: Int64, phones: any PhoneNormalizing) throws(BadParameter) -> Filter {
        try QueryParameters.checkKnown(query, known)
        var filter = Filter()
        if let status = query["status"] {
            guard statuses.contains(status) else { throw BadParameter(parameter: "status", detail: "expected answered or missed") }
            filter.status = status
        }
        if let state = query["follow_up_status"] {
            guard CallRecord.FollowUp.all.contains(state) else {
                throw BadParameter(parameter: "follow_up_status", detail: "expected one of \(CallRecord.FollowUp.all.joined(separator: ", "))")
            }
            filter.followUpStatus = state
        }
        if let phone = query["phone"] {
            do {
                filter.phone = try phones.normalize(phone).e164
            } catch {
                throw BadParameter(parameter: "phone", detail: "not a phone number: \(error)")
            }
        }
        if let since = query["since"] { filter.since = try QueryParameters.since(since, now: now) }
        if let after = query["after"] { filter.after = try QueryParameters.cursor(after, minimum: 1) }
        if let limit = query["limit"] { filter.limit = try QueryParameters.limit(limit, maximum: maxLimit) }
        return filter
    }

    /// One page, newest first, and the cursor of the next (older) page.
    static func page(_ filter: Filter, in db: any SQLConnection) throws -> (calls: [CallRecord], next: Int64?) {
        var sql = "SELECT \(CallSQL.columns) FROM cloudtalk_calls WHERE 1 = 1"
        var parameters: [SQLValue] = []
        func bind(_ clause: String, _ value: SQLValue) {
            parameters.append(value)
            sql += " AND " + clause.replacingLiteral("?", with: "$\(parameters.count)")
        }
        if let status = filter.status { bind("status = ?", .text(status)) }
        if let state = filter.followUpStatus { bind("follow_up_status = ?", .text(state)) }
        if let phone = filter.phone { bind("external_number = ?", .text(phone)) }
        if let since = filter.since { bind("created_at >= ?", .integer(since)) }
        if let after = filter.after { bind("id < ?", .integer(after)) }
        parameters.append(.integer(Int64(filter.limit) + 1))
        sql += " ORDER BY id DESC LIMIT $\(parameters.count)"
        var calls = try db.query(sql, parameters).map(CallRecord.init(row:))
        var next: Int64?
        if calls.count > filter.limit {
            calls.removeLast(calls.count - filter.limit)
            next = calls.last?.id
        }
        return (calls, next)
    }

    static func timestamp(_ millis: Int64?) -> JSONDocument {
        guard let millis else { return .null }
        return .string(Date(timeIntervalSince1970: Double(millis) / 1000).formatted(.iso8601))
    }

    static func json(_ call: CallRecord) -> JSONDocument {
        func text(_ value: String?) -> JSONDocument { value.map(JSONDocument.string) ?? .null }
        return .object([
            "call_id": text(call.callID), "call_uuid": text(call.callUUID), "direction": text(call.direction),
            "external_number": text(call.externalNumber), "status": text(call.status), "should_send": .bool(call.shouldSend),
            "follow_up_status": .string(call.followUpStatus), "follow_up_sent_at": timestamp(call.followUpSentAt),
            "replied_at": timestamp(call.repliedAt), "document_received": .bool(call.documentReceived),
            "created_at": timestamp(call.createdAt),
        ])
    }

    static func body(_ page: (calls: [CallRecord], next: Int64?)) throws -> [UInt8] {
        try JSONText.bytes(JSONDocument.object([
            "calls": .array(page.calls.map(json)),
            "next": page.next.map { JSONDocument.string(String($0)) } ?? .null,
        ]))
    }
}
