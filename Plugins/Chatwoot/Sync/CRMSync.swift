import PluginAPI

/// CRM sync: every `message.received` from a channel other than `chatwoot` makes sure Chatwoot
/// has the sender as a contact with a conversation in the configured WhatsApp inbox, with the
/// configured labels and custom attributes.
///
/// Every step is get-or-create, so a retried delivery never duplicates anything:
/// - contact: `contacts/search` for the phone's digits (Chatwoot matches `phone_number ILIKE
///   %q%` and `identifier LIKE %q%`, so the digits find `+E164` and bare-digit spellings alike;
///   a phone-less contact whose identifier is the phone is given the phone), else `POST contacts`
///   (name: the WhatsApp profile name, else `WhatsApp +…`; attributes sent with it). A 422
///   "already taken" means another writer created it meanwhile: search again;
/// - conversation: the contact's latest unresolved conversation in the inbox, else `POST
///   conversations` (`source_id` = digits without `+`);
/// - labels: Chatwoot replaces a conversation's whole list, so the current list (from the
///   conversation just read or created, else `GET …/labels`) is merged and written back, and
///   only when a label is missing;
/// - attributes: `PUT contacts/{id}` (Chatwoot merges custom attributes), only with changed values.
/// Syncs for one phone run one at a time in this process, and the ids, labels and attribute
/// values are cached for `cache_ttl`: a repeat message costs no call.
struct CRMSync: Sendable {
    let client: ChatwootClient
    let settings: SyncSettings
    let phones: any Phones
    let log: any Logger
    let metrics: any MetricsRecorder
    let cache: SyncCache
    let locks = KeyedLock()

    init(client: ChatwootClient, settings: SyncSettings, phones: any Phones, log: any Logger, metrics: any MetricsRecorder, ttl: ConfigDuration) {
        self.client = client
        self.settings = settings
        self.phones = phones
        self.log = log
        self.metrics = metrics
        cache = SyncCache(ttl: ttl)
    }

    func register(_ registrar: any Registrar) {
        let sync = self
        registrar.subscribe("message.received") { event in
            try await sync.handle(ReceivedMessage(json: event.payload))
        }
    }

    func handle(_ message: ReceivedMessage) async throws -> JobOutcome {
        // Chatwoot's own messages came from Chatwoot: syncing them back would loop.
        guard message.channel != ChatwootWebhook.channel else { return .done }
        guard let phone = try? phones.normalize(message.phone, region: nil) else {
            // A sender known only by a provider id (a WhatsApp @lid) has no Chatwoot contact to match.
            log.debug("chatwoot sync skipped: the sender is not a phone number", ["channel": message.channel])
            return .done
        }
        let labels = settings.labels(for: message.channel)
        var attributes: [String: JSONValue] = [:]
        for attribute in settings.attributes {
            if let value = message.value(of: attribute.field) { attributes[attribute.name] = value }
        }
        let name = message.profileName ?? "WhatsApp \(phone.e164)"
        let sync = self
        let wanted = attributes
        do {
            try await locks.withLock(phone.e164) {
                try await sync.sync(phone: phone, name: name, labels: labels, attributes: wanted)
            }
        } catch let error as ChatwootError where error.kind == .notFound {
            // A cached contact or conversation was deleted in Chatwoot: look them up afresh on the retry.
            await cache.forget(phone.e164)
            throw error
        }
        metrics.increment("synced_messages")
        return .done
    }

    private func sync(phone: PhoneNumber, name: String, labels: [String], attributes: [String: JSONValue]) async throws {
        let key = phone.e164
        let cached = await cache.entry(key)
        var contactID = cached?.contactID
        var knownAttributes = cached?.attributes ?? [:]
        var createdContact = false
        var needsPhone = false
        if contactID == nil {
            let found = try await contact(phone: phone, name: name, attributes: attributes)
            contactID = found.id
            createdContact = found.created
            needsPhone = found.needsPhone
            if found.created { knownAttributes.merge(attributes) { _, new in new } }
        }
        guard let contactID else { return }
        await cache.update(key) { $0.contactID = contactID }

        var conversationID = cached?.conversationID
        var knownLabels = cached?.labels
        // Labels read (or created) in this very sync; cached ones may be stale and only decide
        // whether a write is needed: the write itself then reads the list afresh.
        var freshLabels: [String]?
        if conversationID == nil {
            let found = try await conversation(contactID: contactID, phone: phone, contactIsNew: createdContact)
            conversationID = found.id
            knownLabels = found.labels.map { Set($0) }
            freshLabels = found.labels
        }
        guard let conversationID else { return }
        let currentLabels = knownLabels
        await cache.update(key) {
            $0.conversationID = conversationID
            $0.labels = currentLabels
        }

        if !labels.isEmpty, !(knownLabels.map { Set(labels).isSubset(of: $0) } ?? false) {
            let written: [String]
            if let freshLabels {
                let merged = freshLabels + labels.filter { !freshLabels.contains($0) }
                written = try await client.setConversationLabels(conversationID, merged)
            } else {
                written = try await client.addConversationLabels(conversationID, labels)
            }
            await cache.update(key) { $0.labels = Set(written) }
        }

        let changed = attributes.filter { knownAttributes[$0.key] != $0.value }
        if !changed.isEmpty || needsPhone {
            var fields: [String: JSONValue] = [:]
            if !changed.isEmpty { fields["custom_attributes"] = .object(changed) }
            if needsPhone { fields["phone_number"] = .string(phone.e164) }
            _ = try await client.updateContact(contactID, fields: fields)
            await cache.update(key) { $0.attributes.merge(changed) { _, new in new } }
        } else if createdContact {
            await cache.update(key) { $0.attributes.merge(attributes) { _, new in new } }
        }
    }

    /// The contact with this phone, or a new one.
    private func contact(phone: PhoneNumber, name: String, attributes: [String: JSONValue]) async throws -> (id: Int, created: Bool, needsPhone: Bool) {
        if let found = try await search(phone) { return (found.id, false, found.needsPhone) }
        do {
            let created = try await client.createContact(name: name, phone: phone.e164, customAttributes: attributes)
            metrics.increment("contacts_created")
            return (created.id, true, false)
        } catch let error as ChatwootError where error.kind == .invalid && error.attributes.contains("phone_number") {
            // Created by another writer between our search and our create ("has already been taken").
            if let found = try await search(phone) { return (found.id, false, found.needsPhone) }
            throw error
        }
    }

    /// The contact for `phone`, nil when none: one whose `phone_number` normalises to it (the
    /// oldest, lowest id, when several), else one without a phone whose `identifier` is the
    /// phone (`+E164` or bare digits, as other WhatsApp integrations store the wa_id), which
    /// then gets the phone.
    private func search(_ phone: PhoneNumber) async throws -> (id: Int, needsPhone: Bool)? {
        let digits = String(phone.e164.dropFirst())
        let found = try await client.searchAllContacts(digits, maxPages: 3)
        let byPhone = found.filter { contact in
            guard let raw = contact.phoneNumber, !raw.isEmpty else { return false }
            let candidate = raw.hasPrefix("+") ? raw : "+" + raw
            return (try? phones.normalize(candidate, region: nil))?.e164 == phone.e164
        }
        if let id = byPhone.map(\.id).min() { return (id, false) }
        let byIdentifier = found.filter { contact in
            (contact.phoneNumber ?? "").isEmpty && (contact.identifier == digits || contact.identifier == phone.e164)
        }
        return byIdentifier.map(\.id).min().map { ($0, true) }
    }

    /// The contact's latest unresolved conversation in the inbox, or a new one; with its labels.
    private func conversation(contactID: Int, phone: PhoneNumber, contactIsNew: Bool) async throws -> (id: Int, labels: [String]?) {
        if !contactIsNew {
            let existing = try await client.contactConversations(contactID)
                .filter { $0.inboxID == settings.inboxID && $0.status != "resolved" }
                .max { $0.id < $1.id }
            if let existing { return (existing.id, existing.labels) }
        }
        let created = try await client.createConversation(inboxID: settings.inboxID, contactID: contactID, phone: phone.e164)
        metrics.increment("conversations_created")
        return (created.id, created.labels ?? [])  // a new conversation has none
    }
}
