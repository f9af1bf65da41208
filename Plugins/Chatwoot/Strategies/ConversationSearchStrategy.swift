import PluginAPI

/// `chatwoot.conversation_search`: finds the phone of a flow_token through Chatwoot.
///
/// Chatwoot stores the Flow message we (or an agent) sent, and its content contains the
/// token. `conversations/search` matches message text but its hits carry only the contact id,
/// so a resolution is two calls on a cold cache: the search, then `contacts/{id}` for the
/// phone. Answers (hits and misses) are cached for `cache_ttl`; errors are thrown so the kernel
/// records them, runs the next strategy and keeps the subject pending for a later round.
struct ConversationSearchStrategy: Sendable {
    /// Shorter tokens would match unrelated messages (Chatwoot searches `%q%`).
    static let minimumTokenLength = 8

    let client: ChatwootClient
    let phones: any Phones
    let cache: AnswerCache
    let cooldown = Cooldown()

    init(client: ChatwootClient, phones: any Phones, ttl: ConfigDuration) {
        // Inside a resolution round: fewer, shorter tries; the round itself is retried later.
        var quick = client
        quick.attempts = 2
        quick.timeout = .seconds(5)
        quick.maxWait = .seconds(2)
        self.client = quick
        self.phones = phones
        cache = AnswerCache(ttl: ttl)
    }

    func register(_ registrar: any Registrar) {
        let strategy = self
        registrar.phoneStrategy("conversation_search", kind: .observed, timeout: .seconds(15)) { lookup in
            for key in lookup.linkedKeys where key.kind == .flowToken && key.value.count >= Self.minimumTokenLength {
                if let phone = try await strategy.phone(forToken: key.value) { return phone }
            }
            return nil
        }
    }

    /// The phone of the contact whose conversation contains `token`, nil when there is none,
    /// several different contacts (ambiguous), or a contact without a usable phone.
    func phone(forToken token: String) async throws -> PhoneNumber? {
        let strategy = self
        let answer = try await cache.answer(for: token) { try await strategy.guardedLookup(token) }
        if case .phone(let phone) = answer { return phone }
        return nil
    }

    /// `lookup`, unless a 429 paused calls; a 429 starts the pause.
    private func guardedLookup(_ token: String) async throws -> AnswerCache.Answer {
        guard await !cooldown.isActive else {
            throw ChatwootError(kind: .rateLimited, call: "chatwoot.conversation_search", message: "paused after chatwoot answered 429")
        }
        do {
            return try await lookup(token)
        } catch let error as ChatwootError where error.httpStatus == 429 {
            await cooldown.trip(error.retryAfter)
            throw error
        }
    }

    private func lookup(_ token: String) async throws -> AnswerCache.Answer {
        typealias Answer = AnswerCache.Answer
        // One page is enough: a token is sent once, so more than a page of hits is ambiguous anyway.
        let hits = try await client.searchConversations(token)
        var contactIDs: [Int] = []
        for id in hits.compactMap({ $0.contact?.id }) where !contactIDs.contains(id) { contactIDs.append(id) }
        guard contactIDs.count == 1, let contactID = contactIDs.first else { return .none }
        let contact = try await client.contact(contactID)
        // Chatwoot enforces E.164 with '+'; anything else is not trusted as an answer.
        if let raw = contact.phoneNumber, !raw.isEmpty {
            return (try? phones.normalize(raw, region: nil)).map(Answer.phone) ?? .none
        }
        // No phone on the contact: a WhatsApp inbox's source_id is the wa_id (digits without '+').
        return Self.whatsAppSourcePhone(contact, phones: phones).map(Answer.phone) ?? .none
    }

    /// The phone a contact's WhatsApp contact_inbox names (`source_id` = digits, 1–15), if it normalises.
    static func whatsAppSourcePhone(_ contact: ChatwootContact, phones: any Phones) -> PhoneNumber? {
        for inbox in contact.contactInboxes ?? [] where inbox.inbox?.channelType == "Channel::Whatsapp" {
            guard let digits = inbox.sourceID, (1...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { continue }
            if let phone = try? phones.normalize("+" + digits, region: nil) { return phone }
        }
        return nil
    }
}
