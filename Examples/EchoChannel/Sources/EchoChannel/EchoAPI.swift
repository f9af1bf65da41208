import Foundation
import PluginAPI

/// The provider's HTTP API: `POST /messages` to send, `GET /conversations/{id}` to look up a
/// conversation's phone. The key travels only in the `Authorization` header, which the
/// kernel's client never logs.
struct EchoAPI: Sendable {
    static let channel = "echo"

    let baseURL: String
    let apiKey: String
    let http: any HTTPClient
    /// For `Retry-After` dates: measured against the context's clock, never `Date()`.
    let clock: any TimeSource

    private func url(_ path: String) -> String {
        (baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL) + path
    }

    private var headers: HTTPHeaders { ["Authorization": "Bearer \(apiKey)"] }

    /// Sends a text; answers the provider's message id. A 429 or 5xx is retried (after the
    /// provider's `Retry-After` when it gives one); another 4xx cannot succeed and is permanent.
    func send(to phone: String, text: String) async throws -> String {
        let body = try JSONText.bytes(["to": phone, "text": text])
        let response = try await http.send(.post(url("/messages"), json: body, headers: headers))
        guard response.isSuccess else { throw EchoAPIError(status: response.status, retryAfter: response.retryAfter(now: clock.now)) }
        guard let object = try? JSONDecoder().decode([String: String].self, from: Data(response.body)), let id = object["id"] else {
            // Sent, but the id is missing: resending could send twice, so do not retry.
            throw PermanentJobError("echo accepted the message but answered no id")
        }
        return id
    }

    /// The phone of an `echo:` conversation key, asked of the provider; nil for other keys and
    /// for conversations the provider does not know (404). Other failures throw: a miss.
    func conversationPhone(lookup: PhoneLookup, normalizer: any PhoneNormalizing) async throws -> PhoneNumber? {
        let prefix = "echo:"
        guard let key = lookup.linkedKeys.first(where: { $0.kind == .conversation && $0.value.hasPrefix(prefix) }) else { return nil }
        let id = String(key.value.dropFirst(prefix.count))
        guard let escaped = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) else { return nil }
        let response = try await http.send(.get(url("/conversations/\(escaped)"), headers: headers))
        if response.status == 404 { return nil }
        guard response.isSuccess else { throw EchoAPIError(status: response.status, retryAfter: response.retryAfter(now: clock.now)) }
        guard let object = try? JSONDecoder().decode([String: String].self, from: Data(response.body)),
              let phone = object["phone"] else { return nil }
        return try? normalizer.normalize(phone)
    }
}

/// The provider refused a call. Says whether a retry can help, so the job engine waits or
/// gives up accordingly.
struct EchoAPIError: Error, RetryAdvising, CustomStringConvertible {
    var status: Int
    var retryAfter: ConfigDuration?
    var isRetryable: Bool { status == 429 || status >= 500 }
    var description: String { "echo API answered \(status)" }
}
