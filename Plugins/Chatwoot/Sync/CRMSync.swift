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
///   "already taken" means another writer created it meanwhile: search again. The contact the
///   search returns carries its custom attributes and its contact_inboxes, which spare calls below;
/// - conversation: the contact's latest unresolved conversation in the inbox, else `POST
///   conversations` (`source_id` = digits without `+`). The listing is skipped when it cannot
///   find one: for a contact just created, and for one whose contact_inboxes (listed by the
///   search) include none in the inbox, since every Chatwoot conversation belongs to a
///   contact_inbox;
/// - labels: only when a label is missing. `POST …/labels` replaces a conversation's whole list,
///   so it is written merged into the list just read (the conversation listed or created);
///   with only a cached list, which an agent may have changed since, the missing labels are
///   added through a bulk action, which keeps the others (read-merge-write where Chatwoot has
///   no bulk actions);
/// - attributes: `PUT contacts/{id}` (Chatwoot merges custom attributes), only with values that
///   differ from the contact's (as the search returned them, or as last written).
/// So a sync on a cold cache costs 2 to 4 calls, 5 only for a contact that had conversations in
/// the inbox, all resolved, and whose attributes changed (see the note on `sync`).
/// Syncs for one phone run one at a time in this process, and, when they may create the contact
/// or the conversation, one at a time across instances (`SyncLease`). The ids, labels and
/// attribute values are cached for `cache_ttl`: a repeat message costs no call.
struct CRMSync: Sendable {
    let client: ChatwootClient
    let settings: SyncSettings
    let phones: any Phones
    let log: any Logger
    let metrics: any MetricsRecorder
    let cache: SyncCache
    let locks = KeyedLock()
    let lease: SyncLease

    /// How long a sync that found the phone's lease held waits before it is tried again.
    static let leaseWaitSeconds = 2.0

    init(client: ChatwootClient, settings: SyncSettings, phones: any Phones, log: any Logger, metrics: any MetricsRecorder, ttl: ConfigDuration,
         lease: SyncLease) {
        self.client = client
        self.settings = settings
        self.phones = phones
        self.log = log
        self.metrics = metrics
        self.lease = lease
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
        let outcome: JobOutcome
        do {
            outcome = try await locks.withLock(phone.e164) {
                // Only a sync that may create something needs the phone to itself across instances.
                let cached = await sync.cache.entry(phone.e164)
                let mayCreate = cached?.contactID == nil || cached?.conversationID == nil
                if mayCreate {
                    guard try await sync.lease.acquire(phone.e164) else {
                        sync.metrics.increment("sync_lease_waits")
                        return .snooze(seconds: Self.leaseWaitSeconds)
                    }
                }
                do {
                    try await sync.sync(phone: phone, name: name, labels: labels, attributes: wanted)
                } catch {
                    if mayCreate { try? await sync.lease.release(phone.e164) }
                    throw error
                }
                if mayCreate { try await sync.lease.release(phone.e164) }
                return .done
            }
        } catch let error as ChatwootError where error.kind == .notFound {
            // A cached contact or conversation was deleted in Chatwoot: look them up afresh on the retry.
            await cache.forget(phone.e164)
            throw error
        }
        if case .done = outcome { metrics.increment("synced_messages") }
        return outcome
    }

    /// Calls on a cold cache: search (1), then `POST contacts` (2) or, for a contact with a
    /// contact_inbox in the inbox, the conversation listing (2); `POST conversations` when none is
    /// unresolved; the label write when a label is missing; `PUT contacts/{id}` when an attribute
    /// differs. A new contact: 4 at most; a known one: 4 at most, unless all its conversations in
    /// the inbox are resolved and its attributes changed: then 5, because Chatwoot has no call that
    /// finds a contact's open conversation without listing them, nor one that creates a
    /// conversation with labels. The "already taken" race adds a refused create and a search.
    /// On a warm cache: nothing when the labels are there and the attributes unchanged, one call
    /// for changed attributes or for a label not yet on the conversation, two for both.
    private func sync(phone: PhoneNumber, name: String, labels: [String], attributes: [String: JSONValue]) async throws {
        let key = phone.e164
        let cached = await cache.entry(key)
        var contactID = cached?.contactID
        var knownAttributes = cached?.attributes ?? [:]
        var createdContact = false
        var needsPhone = false
        var mayHaveConversation = true
        if contactID == nil {
            let found = try await contact(phone: phone, name: name, attributes: attributes)
            contactID = found.id
            createdContact = found.created
            needsPhone = found.needsPhone
            mayHaveConversation = found.mayHaveConversation
            knownAttributes.merge(found.attributes) { _, new in new }
        }
        guard let contactID else { return }
        await cache.update(key) { $0.contactID = contactID }

        var conversationID = cached?.conversationID
        var knownLabels = cached?.labels
        // Labels read (or created) in this very sync; cached ones may be stale and only decide
        // whether a write is needed: the write itself then reads the list afresh.
        var freshLabels: [String]?
        if conversationID == nil {
            let found = try await conversation(contactID: contactID, phone: phone, lookUp: mayHaveConversation)
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
                // The cached list may be stale (an agent edits labels too): add through a bulk
                // action, which keeps what is there, rather than write a list merged from the cache.
                let missing = labels.filter { !(knownLabels?.contains($0) ?? false) }
                do {
                    try await client.addConversationLabelsInBackground(conversationID, missing)
                    written = Array(knownLabels ?? []) + missing
                } catch let error as ChatwootError where error.kind == .notFound {
                    // A Chatwoot without bulk actions: read, merge, write.
                    written = try await client.addConversationLabels(conversationID, labels)
                }
            }
            await cache.update(key) { $0.labels = Set(written) }
        }

        let changed = attributes.filter { knownAttributes[$0.key] != $0.value }
        if !changed.isEmpty || needsPhone {
            var fields: [String: JSONValue] = [:]
            if !changed.isEmpty { fields["custom_attributes"] = .object(changed) }
            if needsPhone { fields["phone_number"] = .string(phone.e164) }
            _ = try await client.updateContact(contactID, fields: fields)
        }
        let known = knownAttributes.merging(changed) { _, new in new }
        await cache.update(key) { $0.attributes.merge(known) { _, new in new } }
    }

    /// What the contact lookup found or made.
    private struct FoundContact {
        var id: Int
        var created = false
        /// A phone-less contact found by its identifier: the sync gives it the phone.
        var needsPhone = false
        /// The contact's custom attribute values, as far as known: a write of equal values is skipped.
        var attributes: [String: JSONValue] = [:]
        /// False when the contact can have no conversation in the sync inbox (see `CRMSync`).
        var mayHaveConversation = true
    }

    /// The contact with this phone, or a new one.
    private func contact(phone: PhoneNumber, name: String, attributes: [String: JSONValue]) async throws -> FoundContact {
        if let found = try await search(phone) { return found }
        do {
            let created = try await client.createContact(name: name, phone: phone.e164, customAttributes: attributes)
            metrics.increment("contacts_created")
            return FoundContact(id: created.id, created: true, attributes: created.customAttributes ?? attributes, mayHaveConversation: false)
        } catch let error as ChatwootError where error.kind == .invalid && error.attributes.contains("phone_number") {
            // Created by another writer between our search and our create ("has already been taken").
            if let found = try await search(phone) { return found }
            throw error
        }
    }

    /// The contact for `phone`, nil when none: one whose `phone_number` normalises to it (the
    /// oldest, lowest id, when several), else one without a phone whose `identifier` is the
    /// phone (`+E164` or bare digits, as other WhatsApp integrations store the wa_id), which
    /// then gets the phone.
    private func search(_ phone: PhoneNumber) async throws -> FoundContact? {
        let digits = String(phone.e164.dropFirst())
        let found = try await client.searchAllContacts(digits, maxPages: 3)
        let byPhone = found.filter { contact in
            guard let raw = contact.phoneNumber, !raw.isEmpty else { return false }
            let candidate = raw.hasPrefix("+") ? raw : "+" + raw
            return (try? phones.normalize(candidate, region: nil))?.e164 == phone.e164
        }
        if let contact = byPhone.min(by: { $0.id < $1.id }) { return described(contact, needsPhone: false) }
        let byIdentifier = found.filter { contact in
            (contact.phoneNumber ?? "").isEmpty && (contact.identifier == digits || contact.identifier == phone.e164)
        }
        return byIdentifier.min(by: { $0.id < $1.id }).map { described($0, needsPhone: true) }
    }

    /// A contact as the search returned it. Without `contact_inboxes` in the answer (an older
    /// Chatwoot, or one told not to include them) nothing is known about its conversations.
    private func described(_ contact: ChatwootContact, needsPhone: Bool) -> FoundContact {
        let inInbox = contact.contactInboxes.map { inboxes in
            inboxes.contains { $0.inbox?.id == nil || $0.inbox?.id == settings.inboxID }
        }
        return FoundContact(id: contact.id, needsPhone: needsPhone, attributes: contact.customAttributes ?? [:],
                            mayHaveConversation: inInbox ?? true)
    }

    /// The contact's latest unresolved conversation in the inbox (looked up only when `lookUp`),
    /// or a new one; with its labels.
    private func conversation(contactID: Int, phone: PhoneNumber, lookUp: Bool) async throws -> (id: Int, labels: [String]?) {
        if lookUp {
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
