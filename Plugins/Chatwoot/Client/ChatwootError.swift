import PluginAPI

/// A Chatwoot call that failed, classified from the HTTP status (Chatwoot's error bodies carry
/// no codes): `{"error":"…"}` for 401/404/422, `{"message":"…","attributes":[…]}` for
/// validation failures. Carries the call (`GET /api/v1/accounts/1/contacts/5`, no query
/// string) and Chatwoot's message, never the token.
struct ChatwootError: Error, RetryAdvising, CustomStringConvertible, Sendable {
    enum Kind: String, Sendable {
        /// 401/403: a bad token, or a bot token on a user-only endpoint. Waiting will not help.
        case unauthorized
        /// 404: the contact, conversation or account does not exist.
        case notFound = "not_found"
        /// 422 (or another 4xx): Chatwoot refused the parameters (duplicate phone, bad filter).
        case invalid
        /// 429: rack-attack throttled us (contact search: 100/min per account).
        case rateLimited = "rate_limited"
        /// 5xx: Chatwoot failed; may work later.
        case server
        /// Could not connect, timed out, TLS, the connection dropped.
        case transport
        /// A 2xx whose body is not the shape we expect.
        case badResponse = "bad_response"
    }

    var kind: Kind
    /// `METHOD /path` of the call.
    var call: String
    var httpStatus: Int?
    var message: String
    /// Chatwoot's `attributes` of a validation failure (`["phone_number"]`).
    var attributes: [String] = []
    var retryAfter: ConfigDuration?
    /// Transport failures: whether the HTTP client thinks a retry can help.
    var transportRetryable = false

    var isRetryable: Bool {
        switch kind {
        case .rateLimited, .server: true
        case .transport: transportRetryable
        case .unauthorized, .notFound, .invalid, .badResponse: false
        }
    }

    var description: String {
        let status = httpStatus.map { " http \($0)" } ?? ""
        let fields = attributes.isEmpty ? "" : " [\(attributes.joined(separator: ","))]"
        return "chatwoot \(kind.rawValue)\(status) on \(call): \(message)\(fields)"
    }

    static func kind(status: Int) -> Kind {
        switch status {
        case 401, 403: .unauthorized
        case 404: .notFound
        case 429: .rateLimited
        case 500...599: .server
        default: .invalid
        }
    }

    /// The error a non-2xx answer describes.
    static func from(_ response: OutboundResponse, call: String) -> ChatwootError {
        let body = try? JSONText.decode(ErrorBody.self, from: response.body)
        let text = body?.error ?? body?.message ?? "http status \(response.status)"
        return ChatwootError(kind: kind(status: response.status), call: call, httpStatus: response.status,
                             message: String(text.prefix(300)), attributes: body?.attributes ?? [], retryAfter: response.retryAfter)
    }

    static func transport(_ error: OutboundHTTPError, call: String) -> ChatwootError {
        // OutboundHTTPError's description is already redacted (no headers, no query string).
        ChatwootError(kind: .transport, call: call, message: "\(error.kind): \(error.message)", transportRetryable: error.retryable)
    }
}

/// `{"error":"…"}` or `{"message":"…","attributes":[…]}`.
private struct ErrorBody: Decodable {
    var error: String?
    var message: String?
    var attributes: [String]?
}
