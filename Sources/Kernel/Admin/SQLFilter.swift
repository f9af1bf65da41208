import PluginAPI

/// Builds the shape of a `WHERE` clause from fixed SQL fragments, numbering their placeholders
/// as it goes: a fragment says `$?` where its value goes, the value is bound, never spliced.
///
///     var filter = SQLFilter()
///     filter.add(AdminSQL.inboxPlugin, .text("metaflow"))   // "i.plugin = $1"
///     db.query(AdminSQL.inboxList + filter.whereClause, filter.parameters)
struct SQLFilter {
    /// The placeholder token fragments use for their value.
    static let token = "$?"

    private(set) var conditions: [String] = []
    private(set) var parameters: [SQLValue] = []

    /// Adds `fragment` (one condition with one `$?`) bound to `value`.
    mutating func add(_ fragment: String, _ value: SQLValue) {
        conditions.append(placeholder(fragment, value))
    }

    /// Binds `value` and returns `fragment` with its `$?` numbered (for `LIMIT $?` and other
    /// tails that are not conditions).
    mutating func placeholder(_ fragment: String, _ value: SQLValue) -> String {
        parameters.append(value)
        return fragment.replacingLiteral(Self.token, with: "$\(parameters.count)")
    }

    /// ` WHERE a AND b`, or empty when there is no condition.
    var whereClause: String {
        conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }
}
