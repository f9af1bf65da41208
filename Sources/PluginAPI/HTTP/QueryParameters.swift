/// A query parameter a listing route refuses: answered 400 `bad_request` naming it
/// (`limit: expected 1…1000`).
public struct BadQueryParameter: Error, HTTPResponseError, Equatable {
    public var parameter: String
    public var detail: String
    public var status: Int { 400 }
    public var code: String { "bad_request" }
    public var message: String { "\(parameter): \(detail)" }

    public init(parameter: String, detail: String) {
        self.parameter = parameter
        self.detail = detail
    }
}

/// The parameters every listing route reads the same way: no unknown names, `since` (an RFC
/// 3339 time or a duration ago), `after` (the previous page's `next`) and `limit`.
public enum QueryParameters {
    /// Refuses the first (alphabetically) parameter not in `known`.
    public static func checkKnown(_ query: [String: String], _ known: Set<String>) throws(BadQueryParameter) {
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw BadQueryParameter(parameter: unknown, detail: "unknown parameter (known: \(known.sorted().joined(separator: ", ")))")
        }
    }

    /// `since`: Unix milliseconds from an RFC 3339 time or a duration ago (`2h`, `7d`).
    public static func since(_ text: String, now: Int64) throws(BadQueryParameter) -> Int64 {
        if let millis = RFC3339.timeOrDurationAgo(text, now: now) { return millis }
        throw BadQueryParameter(parameter: "since", detail: "expected an RFC 3339 time or a duration ago (2h, 7d)")
    }

    /// `after`: a row id cursor of at least `minimum`.
    public static func cursor(_ text: String, minimum: Int64) throws(BadQueryParameter) -> Int64 {
        guard let value = Int64(text), value >= minimum else { throw BadQueryParameter(parameter: "after", detail: "expected the previous page's next") }
        return value
    }

    /// `limit`: a page size of 1…`maximum`.
    public static func limit(_ text: String, maximum: Int) throws(BadQueryParameter) -> Int {
        guard let value = Int(text), value >= 1, value <= maximum else { throw BadQueryParameter(parameter: "limit", detail: "expected 1…\(maximum)") }
        return value
    }
}
