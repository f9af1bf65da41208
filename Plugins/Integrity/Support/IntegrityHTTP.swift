import FoundationEssentials
import PluginAPI

/// What the routes share: the admin check, strict query and body reading, JSON answers.
enum IntegrityHTTP {
    static func unauthorized() -> Response {
        var response = Response.error(status: 401, code: "unauthorized", message: "admin token required (Authorization: Bearer …)")
        response.headers.set("WWW-Authenticate", "Bearer realm=\"switchboard-admin\"")
        return response
    }

    static func json(_ value: JSONDocument, status: Int = 200) throws -> Response {
        .json(bytes: try JSONText.bytes(value), status: status)
    }

    /// The query's parameters, refusing any not in `known`.
    static func query(_ request: Request, known: Set<String>) throws(HTTPError) -> [String: String] {
        let items = request.queryItems
        if let unknown = items.keys.sorted().first(where: { !known.contains($0) }) {
            throw HTTPError(400, "bad_request", "\(unknown): unknown parameter (known: \(known.sorted().joined(separator: ", ")))")
        }
        return items
    }

    /// `since`: an RFC 3339 time or a duration ago (`24h`, `7d`), as Unix milliseconds.
    static func since(_ text: String?, now: Int64) throws(HTTPError) -> Int64? {
        guard let text else { return nil }
        if let millis = RFC3339.timeOrDurationAgo(text, now: now) { return millis }
        throw HTTPError(400, "bad_request", "since: expected an RFC 3339 time or a duration ago (2h, 7d)")
    }

    /// A positive integer parameter.
    static func integer(_ name: String, _ text: String?, range: ClosedRange<Int64>) throws(HTTPError) -> Int64? {
        guard let text else { return nil }
        guard let value = Int64(text), range.contains(value) else {
            throw HTTPError(400, "bad_request", "\(name): expected an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A JSON object body with only `allowed` members.
    static func object(_ body: [UInt8], allowed: Set<String>, example: String) throws(HTTPError) -> [String: JSONDocument] {
        guard let value = try? JSONText.decode(JSONDocument.self, from: body), let members = value.objectValue else {
            throw HTTPError(400, "bad_request", "body: expected a JSON object like \(example)")
        }
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw HTTPError(400, "bad_request", "\(unknown): unknown key (known: \(allowed.sorted().joined(separator: ", ")))")
        }
        return members
    }

    /// An optional string member; `null` counts as absent.
    static func string(_ members: [String: JSONDocument], _ key: String, required: Bool = false) throws(HTTPError) -> String? {
        switch members[key] {
        case nil, .null?:
            if required { throw HTTPError(400, "bad_request", "\(key): required") }
            return nil
        case .string(let text)?:
            if required && text.isEmpty { throw HTTPError(400, "bad_request", "\(key): must not be empty") }
            return text
        default:
            throw HTTPError(400, "bad_request", "\(key): expected a string")
        }
    }
}

/// RFC 3339 times (UTC, milliseconds), the API's format: PluginAPI's `RFC3339`, which the
/// kernel's admin API and the other plugins use too.
enum Time {
    static func format(_ millis: Int64) -> String { RFC3339.format(millis: millis) }

    static func format(_ millis: Int64?) -> JSONDocument {
        millis.map { .string(format($0)) } ?? .null
    }
}

extension JSONDocument {
    /// A fraction rounded to 4 places, or null.
    static func rate(_ value: Double?) -> JSONDocument {
        value.map { .double(($0 * 10_000).rounded() / 10_000) } ?? .null
    }

    static func optional(_ text: String?) -> JSONDocument { text.map { .string($0) } ?? .null }
}
