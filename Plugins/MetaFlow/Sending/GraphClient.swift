import PluginAPI

/// Posts messages to `{graph_base_url}/{phone_number_id}/messages` with the access token.
/// Answers Meta's message id, or throws `GraphError` (Meta refused) or `OutboundHTTPError`
/// (transport; retryable when a retry can help). The token travels only in the header, which
/// the HTTP client never logs or puts in an error.
struct GraphClient: Sendable {
    let baseURL: String
    let phoneNumberID: String
    let accessToken: String
    let http: any HTTPClient

    /// What the Cloud API defaults to when `graph_base_url` is absent (the version is part of it).
    static let defaultBaseURL = "https://graph.facebook.com/v21.0"

    var messagesURL: String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return "\(base)/\(phoneNumberID)/messages"
    }

    /// Sends one message body (a JSON object with `messaging_product`, `to`, `type`, …).
    func send(_ body: [UInt8]) async throws -> String {
        var request = OutboundRequest.post(messagesURL, json: body)
        request.headers.set("Authorization", "Bearer \(accessToken)")
        request.timeout = .seconds(20)
        let response = try await http.send(request)
        guard response.isSuccess else { throw GraphError.from(response) }
        guard let answer = try? JSONText.decode(GraphSendAnswer.self, from: response.body), let id = answer.messages.first?.id, !id.isEmpty else {
            // Meta took the message but we cannot tell its id: resending would duplicate it.
            throw PermanentJobError("graph accepted the message but its answer has no messages[0].id")
        }
        return id
    }
}

/// `{"messaging_product":"whatsapp","contacts":[…],"messages":[{"id":"wamid.…"}]}`.
private struct GraphSendAnswer: Decodable {
    struct Message: Decodable { var id: String }
    var messages: [Message]
}
