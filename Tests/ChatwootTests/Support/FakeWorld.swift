import Foundation
import TestHTTPServer

/// The state behind the fake Chatwoot's CRM routes, modelled on Chatwoot's behaviour: contacts
/// with a phone unique per account (a duplicate is the 422 "Phone number has already been
/// taken"), E.164 required; `contacts/search` as a substring match, 15 a page; conversations
/// in inboxes with label lists that `POST …/labels` replaces; messages with Chatwoot's
/// `before`/`after` cursors; account labels with Chatwoot's title rule. Not thread-safe on its
/// own: `FakeChatwoot` calls it under its lock.
final class FakeWorld: @unchecked Sendable {
    struct Contact {
        var id: Int
        var name: String
        var phone: String?
        var identifier: String?
        var custom: [String: Any] = [:]
        /// WhatsApp contact_inbox source ids (`inbox id → source_id`).
        var sources: [Int: String] = [:]
    }

    struct Conversation {
        var id: Int
        var inboxID: Int
        var contactID: Int
        var status = "open"
        var labels: [String] = []
        var lastActivity: Int
    }

    var contacts: [Int: Contact] = [:]
    var conversations: [Int: Conversation] = [:]
    var messages: [Int: [[String: Any]]] = [:]
    var labels: [String] = []
    var nextContact = 500
    var nextConversation = 900
    var nextLabel = 1

    func addContact(id: Int? = nil, name: String, phone: String?, sources: [Int: String] = [:]) -> Int {
        let id = id ?? next(&nextContact)
        contacts[id] = Contact(id: id, name: name, phone: phone, sources: sources)
        return id
    }

    func addConversation(id: Int? = nil, inbox: Int, contact: Int, lastActivity: Int, status: String = "open") -> Int {
        let id = id ?? next(&nextConversation)
        conversations[id] = Conversation(id: id, inboxID: inbox, contactID: contact, status: status, lastActivity: lastActivity)
        // As in Chatwoot, a conversation belongs to a contact_inbox of its inbox.
        if let owner = contacts[contact], owner.sources[inbox] == nil {
            contacts[contact]?.sources[inbox] = owner.phone.map { String($0.drop { $0 == "+" }) } ?? "source-\(contact)"
        }
        return id
    }

    /// A message in the shape of `GET conversations/{id}/messages` (`message_type` 0 = incoming).
    func addMessage(conversation: Int, id: Int, content: String?, incoming: Bool = true, createdAt: Int,
                    contentAttributes: [String: Any] = [:]) {
        guard let conv = conversations[conversation], let contact = contacts[conv.contactID] else { return }
        let sender: [String: Any] = incoming
            ? ["id": contact.id, "name": contact.name, "phone_number": contact.phone ?? NSNull(), "type": "contact"]
            : ["id": 1, "name": "Agent", "type": "user"]
        messages[conversation, default: []].append([
            "id": id, "content": content ?? NSNull(), "inbox_id": conv.inboxID, "conversation_id": conversation,
            "message_type": incoming ? 0 : 1, "content_type": "text", "status": "sent", "content_attributes": contentAttributes,
            "created_at": createdAt, "private": false, "sender": sender,
        ])
        conversations[conversation]?.lastActivity = max(conv.lastActivity, createdAt)
    }

    private func next(_ counter: inout Int) -> Int {
        counter += 1
        return counter
    }

    // MARK: routes

    func answer(method: String, path: String, query: String, body: [UInt8]) -> FakeReply? {
        let parts = path.split(separator: "/").map(String.init)
        let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        switch (method, parts.count, parts.first) {
        case ("GET", 2, "contacts") where parts[1] == "search":
            return searchContacts(FakeChatwoot.queryValue("q", in: query) ?? "", page: Int(FakeChatwoot.queryValue("page", in: query) ?? "1") ?? 1)
        case ("POST", 1, "contacts"):
            return createContact(json)
        case ("GET", 2, "contacts"):
            return contacts[Int(parts[1]) ?? -1].map { Self.reply(["payload": contactJSON($0)]) }
        case ("PUT", 2, "contacts"):
            guard let id = Int(parts[1]), contacts[id] != nil else { return nil }
            for (key, value) in json["custom_attributes"] as? [String: Any] ?? [:] { contacts[id]?.custom[key] = value }
            if let phone = json["phone_number"] as? String {
                if contacts.values.contains(where: { $0.phone == phone && $0.id != id }) {
                    return Self.reply(["message": "Phone number has already been taken", "attributes": ["phone_number"]], status: 422)
                }
                contacts[id]?.phone = phone
            }
            return contacts[id].map { Self.reply(["payload": contactJSON($0)]) }
        case ("GET", 3, "contacts") where parts[2] == "conversations":
            guard let id = Int(parts[1]), contacts[id] != nil else { return nil }
            let list = conversations.values.filter { $0.contactID == id }.sorted { $0.lastActivity > $1.lastActivity }.prefix(20)
            return Self.reply(["payload": list.map(conversationJSON)])
        case ("POST", 1, "conversations"):
            return createConversation(json)
        case ("GET", 1, "conversations"):
            let page = Int(FakeChatwoot.queryValue("page", in: query) ?? "1") ?? 1
            let sorted = conversations.values.sorted { ($0.lastActivity, $0.id) > ($1.lastActivity, $1.id) }
            let slice = sorted.dropFirst((page - 1) * 25).prefix(25)
            return Self.reply(["data": ["meta": ["all_count": sorted.count], "payload": slice.map(conversationJSON)]])
        case ("GET", 3, "conversations") where parts[2] == "labels":
            return conversations[Int(parts[1]) ?? -1].map { Self.reply(["payload": $0.labels]) }
        case ("POST", 3, "conversations") where parts[2] == "labels":
            guard let id = Int(parts[1]), conversations[id] != nil else { return nil }
            conversations[id]?.labels = (json["labels"] as? [String] ?? []).map { $0.lowercased() }
            return Self.reply(["payload": conversations[id]?.labels ?? []])
        case ("POST", 1, "bulk_actions"):
            // Chatwoot runs it in a job and answers 200 with no body; labels.add keeps the others.
            guard json["type"] as? String == "Conversation" else { return Self.reply(["success": false], status: 422) }
            let add = ((json["labels"] as? [String: Any])?["add"] as? [String] ?? []).map { $0.lowercased() }
            for id in json["ids"] as? [Int] ?? [] where conversations[id] != nil {
                for label in add where !(conversations[id]?.labels.contains(label) ?? true) { conversations[id]?.labels.append(label) }
            }
            return FakeReply(status: 200, headers: [], body: [])
        case ("GET", 3, "conversations") where parts[2] == "messages":
            guard let id = Int(parts[1]), conversations[id] != nil else { return nil }
            return Self.reply(["meta": [:] as [String: Any], "payload": messagePage(id, query: query)])
        case ("GET", 1, "labels"):
            return Self.reply(["payload": labels.enumerated().map { ["id": $0.offset + 1, "title": $0.element] }])
        case ("POST", 1, "labels"):
            let label = json["label"] as? [String: Any] ?? json
            let title = (label["title"] as? String ?? "").lowercased()
            guard title.range(of: #"\A[\p{L}\p{N}]+[\p{L}\p{N}_-]+\z"#, options: .regularExpression) != nil else {
                return Self.reply(["message": "Title is invalid", "attributes": ["title"]], status: 422)
            }
            guard !labels.contains(title) else { return Self.reply(["message": "Title has already been taken", "attributes": ["title"]], status: 422) }
            labels.append(title)
            return Self.reply(["id": labels.count, "title": title, "description": "", "color": "#1f93ff", "show_on_sidebar": true])
        default:
            return nil
        }
    }

    private func searchContacts(_ q: String, page: Int) -> FakeReply {
        guard !q.isEmpty else { return Self.reply(["error": "Specify search string with parameter q"], status: 422) }
        let needle = q.lowercased()
        let matches = contacts.values.sorted { $0.id < $1.id }.filter {
            $0.name.lowercased().contains(needle) || ($0.phone?.contains(needle) ?? false) || ($0.identifier?.contains(needle) ?? false)
        }
        let slice = Array(matches.dropFirst((page - 1) * 15).prefix(15))
        return Self.reply(["meta": ["count": slice.count, "current_page": String(page), "has_more": matches.count > page * 15],
                           "payload": slice.map(contactJSON)])
    }

    private func createContact(_ json: [String: Any]) -> FakeReply {
        let phone = json["phone_number"] as? String
        if let phone {
            guard phone.range(of: #"^\+[1-9]\d{1,14}$"#, options: .regularExpression) != nil else {
                return Self.reply(["message": "Phone number should be in e164 format", "attributes": ["phone_number"]], status: 422)
            }
            if contacts.values.contains(where: { $0.phone == phone }) {
                return Self.reply(["message": "Phone number has already been taken", "attributes": ["phone_number"]], status: 422)
            }
        }
        let id = addContact(name: json["name"] as? String ?? "", phone: phone)
        contacts[id]?.custom = json["custom_attributes"] as? [String: Any] ?? [:]
        return Self.reply(["payload": ["contact": contactJSON(contacts[id]!), "contact_inbox": NSNull()]])
    }

    private func createConversation(_ json: [String: Any]) -> FakeReply {
        guard let inbox = json["inbox_id"] as? Int, let contactID = json["contact_id"] as? Int, contacts[contactID] != nil else {
            return Self.reply(["error": "inbox_id and contact_id are required"], status: 422)
        }
        if let source = json["source_id"] as? String {
            guard source.range(of: #"^\d{1,15}$"#, options: .regularExpression) != nil else {
                return Self.reply(["message": "Source invalid source id for whatsapp inbox. valid Regex (?-mix:^\\d{1,15}\\z)"], status: 422)
            }
            contacts[contactID]?.sources[inbox] = source
        }
        let id = addConversation(inbox: inbox, contact: contactID, lastActivity: 1_790_000_000)
        return Self.reply(conversationJSON(conversations[id]!))
    }

    private func messagePage(_ id: Int, query: String) -> [[String: Any]] {
        let all = (messages[id] ?? []).sorted { ($0["id"] as? Int ?? 0) < ($1["id"] as? Int ?? 0) }
        if let after = FakeChatwoot.queryValue("after", in: query).flatMap(Int.init) {
            return Array(all.filter { ($0["id"] as? Int ?? 0) > after }.prefix(100))
        }
        if let before = FakeChatwoot.queryValue("before", in: query).flatMap(Int.init) {
            return Array(all.filter { ($0["id"] as? Int ?? 0) < before }.suffix(20))
        }
        return Array(all.suffix(20))
    }

    func contactJSON(_ contact: Contact) -> [String: Any] {
        ["id": contact.id, "name": contact.name, "phone_number": contact.phone ?? NSNull(), "email": NSNull(), "identifier": contact.identifier ?? NSNull(),
         "custom_attributes": contact.custom, "additional_attributes": [:] as [String: Any], "blocked": false,
         "contact_inboxes": contact.sources.map { ["source_id": $0.value, "inbox": ["id": $0.key, "name": "WhatsApp", "channel_type": "Channel::Whatsapp"]] }]
    }

    func conversationJSON(_ conversation: Conversation) -> [String: Any] {
        let sender: Any = contacts[conversation.contactID].map { contact -> [String: Any] in
            ["id": contact.id, "name": contact.name, "phone_number": contact.phone ?? NSNull(), "type": "contact"]
        } ?? NSNull()
        return ["id": conversation.id, "inbox_id": conversation.inboxID, "status": conversation.status, "labels": conversation.labels,
                "custom_attributes": [:] as [String: Any], "last_activity_at": conversation.lastActivity, "timestamp": conversation.lastActivity,
                "meta": ["sender": sender, "channel": "Channel::Whatsapp"], "messages": [] as [Any], "account_id": FakeChatwoot.accountID]
    }

    static func reply(_ object: Any, status: Int = 200) -> FakeReply {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data("{}".utf8)
        return FakeReply(status: status, headers: [("Content-Type", "application/json; charset=utf-8")], body: [UInt8](data))
    }
}
