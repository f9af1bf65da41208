import PluginAPI

/// Messages, labels and custom attribute definitions.
extension ChatwootClient {
    /// `GET conversations/{id}/messages[?before=]`: the latest 20, or the 20 before a message
    /// id, ascending.
    func messages(conversation id: Int, before: Int? = nil) async throws -> [ChatwootMessage] {
        try await call(Payload<[ChatwootMessage]>.self, .get, "/conversations/\(id)/messages", query: before.map { [("before", String($0))] } ?? []).payload
    }

    /// `GET conversations/{id}/messages` as raw JSON objects, ascending: the latest 20, the 20
    /// before `before`, or up to 100 after `after` (Chatwoot's cursors are message ids).
    func rawMessages(conversation id: Int, before: Int64? = nil, after: Int64? = nil) async throws -> [JSONValue] {
        var query: [(String, String)] = []
        if let before { query.append(("before", String(before))) }
        if let after { query.append(("after", String(after))) }
        return try await call(Payload<[JSONValue]>.self, .get, "/conversations/\(id)/messages", query: query).payload
    }

    /// The whole history, oldest first, walking the `before` cursor back (at most `maxPages` pages).
    func allMessages(conversation id: Int, maxPages: Int = 50) async throws -> [ChatwootMessage] {
        var pages: [[ChatwootMessage]] = []
        var cursor: Int?
        for _ in 0..<max(1, maxPages) {
            let batch = try await messages(conversation: id, before: cursor)
            guard let oldest = batch.map(\.id).min() else { break }
            pages.append(batch)
            // Chatwoot answers at most 20; fewer means we reached the first message.
            if batch.count < 20 || oldest == cursor { break }
            cursor = oldest
        }
        return pages.reversed().flatMap { $0 }
    }

    /// `GET labels`.
    func labels() async throws -> [ChatwootLabel] {
        try await call(Payload<[ChatwootLabel]>.self, .get, "/labels").payload
    }

    /// `POST labels`. Chatwoot lower-cases the title; a duplicate is a 422 `.invalid` error.
    func createLabel(_ title: String, description: String = "", color: String = "#1f93ff") async throws -> ChatwootLabel {
        let body: JSONValue = .object(["label": .object([
            "title": .string(title), "description": .string(description), "color": .string(color), "show_on_sidebar": .bool(true),
        ])])
        return try await call(ChatwootLabel.self, .post, "/labels", json: try JSONText.bytes(body))
    }

    /// `GET conversations/{id}/labels`.
    func conversationLabels(_ id: Int) async throws -> [String] {
        try await call(Payload<[String]>.self, .get, "/conversations/\(id)/labels").payload
    }

    /// `POST conversations/{id}/labels`: **replaces** the whole list.
    func setConversationLabels(_ id: Int, _ labels: [String]) async throws -> [String] {
        let body = try JSONText.bytes(["labels": labels])
        return try await call(Payload<[String]>.self, .post, "/conversations/\(id)/labels", json: body).payload
    }

    /// Adds labels without dropping the others: reads the list, merges, writes it back (Chatwoot
    /// has no add call). Skips the write when nothing is new.
    func addConversationLabels(_ id: Int, _ labels: [String]) async throws -> [String] {
        let current = try await conversationLabels(id)
        let missing = labels.map { $0.lowercased() }.filter { !current.contains($0) }
        guard !missing.isEmpty else { return current }
        var merged = current
        for label in missing where !merged.contains(label) { merged.append(label) }
        return try await setConversationLabels(id, merged)
    }

    /// `POST bulk_actions` `{"type":"Conversation","ids":[id],"labels":{"add":[…]}}`: Chatwoot
    /// adds the labels to the conversation's list (`Conversation#add_labels`), keeping the others,
    /// in a background job. One call where `addConversationLabels` makes two, but the labels land
    /// a moment later and a failure inside that job is not reported back. A Chatwoot without the
    /// endpoint answers 404 (`.notFound`).
    func addConversationLabelsInBackground(_ id: Int, _ labels: [String]) async throws {
        let body: [String: JSONValue] = ["type": .string("Conversation"), "ids": .array([.integer(Int64(id))]),
                                         "labels": .object(["add": .array(labels.map { .string($0.lowercased()) })])]
        _ = try await call(.post, "/bulk_actions", json: try JSONText.bytes(body))
    }

    /// `GET custom_attribute_definitions[?attribute_model=]`: a bare array.
    func attributeDefinitions(model: String? = nil) async throws -> [ChatwootAttributeDefinition] {
        try await call([ChatwootAttributeDefinition].self, .get, "/custom_attribute_definitions", query: model.map { [("attribute_model", $0)] } ?? [])
    }

    /// `POST custom_attribute_definitions`. `model` is `conversation_attribute` or `contact_attribute`.
    func createAttributeDefinition(key: String, displayName: String, type: String = "text", model: String) async throws -> ChatwootAttributeDefinition {
        let body: JSONValue = .object(["custom_attribute_definition": .object([
            "attribute_key": .string(key), "attribute_display_name": .string(displayName),
            "attribute_display_type": .string(type), "attribute_model": .string(model), "attribute_values": .array([]),
        ])])
        return try await call(ChatwootAttributeDefinition.self, .post, "/custom_attribute_definitions", json: try JSONText.bytes(body))
    }
}
