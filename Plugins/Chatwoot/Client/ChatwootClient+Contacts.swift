import PluginAPI

/// Contacts: search, show, create, update, a contact's conversations.
extension ChatwootClient {
    /// `GET contacts/search?q=` (substring of name, email, phone, identifier), 15 a page.
    /// Throttled on our side to Chatwoot's 100/min per account.
    func searchContacts(_ query: String, page: Int = 1) async throws -> (contacts: [ChatwootContact], hasMore: Bool) {
        guard await contactSearchGate.acquire() else {
            throw ChatwootError(kind: .rateLimited, call: "GET \(accountPath)/contacts/search", message: "local limit of 100 contact searches a minute reached")
        }
        let page = try await call(ContactPage.self, .get, "/contacts/search", query: [("q", query), ("page", String(page)), ("include_contact_inboxes", "true")])
        return (page.payload, page.meta?.hasMore ?? false)
    }

    /// Every page of `searchContacts` while Chatwoot says `has_more`, up to `maxPages`
    /// (each page counts against the 100/min limit).
    func searchAllContacts(_ query: String, maxPages: Int = 5) async throws -> [ChatwootContact] {
        var contacts: [ChatwootContact] = []
        for page in 1...max(1, maxPages) {
            let batch = try await searchContacts(query, page: page)
            contacts += batch.contacts
            if !batch.hasMore || batch.contacts.isEmpty { break }
        }
        return contacts
    }

    /// `GET contacts/{id}` → `{payload: contact}`.
    func contact(_ id: Int) async throws -> ChatwootContact {
        try await call(Payload<ChatwootContact>.self, .get, "/contacts/\(id)").payload
    }

    /// `POST contacts`. With `inboxID`, Chatwoot also creates the contact_inbox.
    /// A taken phone is a 422 `.invalid` error with `attributes == ["phone_number"]`.
    func createContact(name: String, phone: String, inboxID: Int? = nil, customAttributes: [String: JSONValue] = [:]) async throws -> ChatwootContact {
        var body: [String: JSONValue] = ["name": .string(name), "phone_number": .string(phone)]
        if let inboxID { body["inbox_id"] = .integer(Int64(inboxID)) }
        if !customAttributes.isEmpty { body["custom_attributes"] = .object(customAttributes) }
        struct Created: Decodable, Sendable { var contact: ChatwootContact }
        return try await call(Payload<Created>.self, .post, "/contacts", json: try JSONText.bytes(body)).payload.contact
    }

    /// `PUT contacts/{id}`. Chatwoot **merges** `custom_attributes` and `additional_attributes`
    /// into the stored ones, so sending only the changed keys is enough.
    func updateContact(_ id: Int, fields: [String: JSONValue]) async throws -> ChatwootContact {
        try await call(Payload<ChatwootContact>.self, .put, "/contacts/\(id)", json: try JSONText.bytes(fields)).payload
    }

    /// `GET contacts/{id}/conversations`: at most 20, most recent activity first.
    func contactConversations(_ id: Int) async throws -> [ChatwootConversation] {
        try await call(Payload<[ChatwootConversation]>.self, .get, "/contacts/\(id)/conversations").payload
    }
}
