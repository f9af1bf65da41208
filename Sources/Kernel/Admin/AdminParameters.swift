import PluginAPI

/// Parses the operator's filters, the same for CLI options (`--status dead`) and admin API
/// query parameters (`?status=dead`), so both accept and refuse the same values. Errors are
/// `AdminError.invalidParameter` naming the parameter.
enum AdminParameters {
    /// Inbox statuses as operators see them (`dead`: the item's job died).
    static let inboxStatuses = ["received", "processed", "duplicate", "dead"]
    static let jobStatuses = ["available", "running", "done", "dead", "cancelled"]

    /// How many rows a listing returns when it is not told, and at most.
    struct LimitPolicy: Sendable {
        var defaultLimit: Int?
        var maximum: Int?

        /// The CLI: every match unless `--limit` is given, no ceiling.
        static let unbounded = LimitPolicy(defaultLimit: nil, maximum: nil)
        /// The admin API: pages of 100 by default, 1,000 at most.
        static let paged = LimitPolicy(defaultLimit: 100, maximum: 1000)
    }

    static let inboxKeys: Set<String> = ["since", "status", "plugin", "limit", "after"]
    static let jobKeys: Set<String> = ["status", "name", "limit", "after"]
    static let rejectionKeys: Set<String> = ["since", "plugin", "limit", "after"]

    /// Refuses parameters the listing does not know (a misspelt filter would match everything).
    static func checkKnown(_ values: [String: String], allowed: Set<String>) throws(AdminError) {
        if let unknown = values.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw AdminError.invalid(unknown, "unknown parameter (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    static func inboxFilter(_ values: [String: String], now: Int64, limits: LimitPolicy) throws(AdminError) -> AdminQueries.InboxFilter {
        AdminQueries.InboxFilter(
            since: try given(values["since"]) { v throws(AdminError) in try time("since", v, now: now) },
            status: try given(values["status"]) { v throws(AdminError) in try oneOf("status", v, inboxStatuses) },
            plugin: try given(values["plugin"]) { v throws(AdminError) in try nonEmpty("plugin", v) },
            after: try given(values["after"]) { v throws(AdminError) in try cursor("after", v) },
            limit: try limit(values["limit"], limits))
    }

    static func jobFilter(_ values: [String: String], limits: LimitPolicy) throws(AdminError) -> AdminQueries.JobFilter {
        AdminQueries.JobFilter(
            status: try given(values["status"]) { v throws(AdminError) in try oneOf("status", v, jobStatuses) },
            name: try given(values["name"]) { v throws(AdminError) in try nonEmpty("name", v) },
            after: try given(values["after"]) { v throws(AdminError) in try cursor("after", v) },
            limit: try limit(values["limit"], limits))
    }

    static func rejectionFilter(_ values: [String: String], now: Int64, limits: LimitPolicy) throws(AdminError) -> AdminQueries.RejectionFilter {
        AdminQueries.RejectionFilter(
            since: try given(values["since"]) { v throws(AdminError) in try time("since", v, now: now) },
            plugin: try given(values["plugin"]) { v throws(AdminError) in try nonEmpty("plugin", v) },
            after: try given(values["after"]) { v throws(AdminError) in try cursor("after", v) },
            limit: try limit(values["limit"], limits))
    }

    /// An RFC 3339 time (`2026-11-22T10:00:00Z`) or a duration ago (`30m`, `2h`, `7d`), in
    /// Unix milliseconds.
    static func time(_ name: String, _ text: String, now: Int64) throws(AdminError) -> Int64 {
        if let millis = RFC3339.timeOrDurationAgo(text, now: now) { return millis }
        throw AdminError.invalid(name, "expected an RFC 3339 time (2026-11-22T10:00:00Z) or a duration ago (30m, 2h, 7d), got \"\(shown(text))\"")
    }

    /// A positive row id.
    static func id(_ name: String, _ text: String) throws(AdminError) -> Int64 {
        guard text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int64(text), value > 0 else {
            throw AdminError.invalid(name, "expected a positive integer id, got \"\(shown(text))\"")
        }
        return value
    }

    /// A page cursor: the last id seen, 0 for the start.
    static func cursor(_ name: String, _ text: String) throws(AdminError) -> Int64 {
        guard text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int64(text) else {
            throw AdminError.invalid(name, "expected the id of the last item seen (0 for the start), got \"\(shown(text))\"")
        }
        return value
    }

    static func oneOf(_ name: String, _ text: String, _ allowed: [String]) throws(AdminError) -> String {
        guard allowed.contains(text) else {
            throw AdminError.invalid(name, "expected \(allowed.dropLast().joined(separator: ", ")) or \(allowed.last ?? ""), got \"\(shown(text))\"")
        }
        return text
    }

    static func nonEmpty(_ name: String, _ text: String) throws(AdminError) -> String {
        guard !text.isEmpty else { throw AdminError.invalid(name, "must not be empty") }
        return text
    }

    static func limit(_ text: String?, _ policy: LimitPolicy) throws(AdminError) -> Int? {
        guard let text else { return policy.defaultLimit }
        let range = policy.maximum.map { "1…\($0)" } ?? "a positive integer"
        guard text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(text), value >= 1, value <= (policy.maximum ?? Int.max) else {
            throw AdminError.invalid("limit", "expected \(range), got \"\(shown(text))\"")
        }
        return value
    }

    /// `parse(value)` when the parameter is given, nil otherwise.
    private static func given<T>(_ value: String?, _ parse: (String) throws(AdminError) -> T) throws(AdminError) -> T? {
        guard let value else { return nil }
        return try parse(value)
    }

    /// A value as quoted back in an error: at most 60 characters.
    private static func shown(_ text: String) -> String {
        text.count <= 60 ? text : String(text.prefix(60)) + "…"
    }
}
