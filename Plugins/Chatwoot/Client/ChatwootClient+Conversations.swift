import PluginAPI

/// Conversations: search by message text, global search by phone, show, create, filter.
extension ChatwootClient {
    /// Chatwoot's page size for conversation search and filter.
    static let conversationPageSize = 25

    /// `GET conversations/search?q=`: conversations with a message whose content contains `q`
    /// (all statuses). One page of 25; the hits carry the contact id, not the phone.
    func searchConversations(_ text: String, page: Int = 1) async throws -> [ChatwootSearchHit] {
        try await call(Payload<[ChatwootSearchHit]>.self, .get, "/conversations/search", query: [("q", text), ("page", String(page))]).payload
    }

    /// Every page of `searchConversations`, up to `maxPages` (a full page means there may be more).
    func searchAllConversations(_ text: String, maxPages: Int = 10) async throws -> [ChatwootSearchHit] {
        var hits: [ChatwootSearchHit] = []
        for page in 1...max(1, maxPages) {
            let batch = try await searchConversations(text, page: page)
            hits += batch
            if batch.count < Self.conversationPageSize { break }
        }
        return hits
    }

    /// `GET search/conversations?q=`: the newer global search, which matches contact phone
    /// numbers (and names, emails, identifiers, display ids).
    func globalSearchConversations(_ query: String) async throws -> [ChatwootGlobalHit] {
        struct Found: Decodable, Sendable { var conversations: [ChatwootGlobalHit] }
        return try await call(Payload<Found>.self, .get, "/search/conversations", query: [("q", query)]).payload.conversations
    }

    /// `GET conversations?status=all&sort_by=last_activity_at_desc&page=`: one page of 25, most
    /// recently active first, as raw JSON objects (reconciliation rebuilds webhook bodies from them).
    func recentConversations(page: Int) async throws -> [JSONValue] {
        try await call(DataPayload<[JSONValue]>.self, .get, "/conversations",
                       query: [("status", "all"), ("sort_by", "last_activity_at_desc"), ("page", String(page))]).data.payload
    }

    /// `GET conversations/{id}` (the display id).
    func conversation(_ id: Int) async throws -> ChatwootConversation {
        try await call(ChatwootConversation.self, .get, "/conversations/\(id)")
    }

    /// `POST conversations` in a WhatsApp inbox: `source_id` is the phone's digits without `+`
    /// (Chatwoot requires `^\d{1,15}$`). Inboxes locked to one conversation answer the existing one.
    func createConversation(inboxID: Int, contactID: Int, phone: String, status: String? = nil) async throws -> ChatwootConversation {
        var body: [String: JSONValue] = [
            "inbox_id": .integer(Int64(inboxID)), "contact_id": .integer(Int64(contactID)),
            "source_id": .string(String(phone.filter(\.isASCII).filter(\.isNumber))),
        ]
        if let status { body["status"] = .string(status) }
        return try await call(ChatwootConversation.self, .post, "/conversations", json: try JSONText.bytes(body))
    }

    /// `POST conversations/filter?page=` with Chatwoot's filter payload
    /// (`[{"attribute_key","filter_operator","values","query_operator"}]`). One page of 25.
    func filterConversations(_ filters: [JSONValue], page: Int = 1) async throws -> [ChatwootConversation] {
        let body = try JSONText.bytes(["payload": JSONValue.array(filters)])
        return try await call(Payload<[ChatwootConversation]>.self, .post, "/conversations/filter", query: [("page", String(page))], json: body).payload
    }
}
