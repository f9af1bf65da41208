import Foundation
import PluginAPI

/// `POST /chatwoot/webhook`, through the kernel's durable inbox.
///
/// - Verified with `webhook_secret` when one is configured (`ChatwootSignature`); Chatwoot
///   before v4.11.2 signs nothing, so without a secret every delivery is accepted (said once at start).
/// - Deduplicated on `X-Chatwoot-Delivery`, else on the event, the record's id and its update time.
/// - Processing teaches phones and logs messages; see `process`.
struct ChatwootWebhook: Sendable {
    static let channel = "chatwoot"
    static let source = "chatwoot.webhook"

    let secret: [UInt8]?
    let store: any Store
    let phones: any Phones
    let channels: any Channels
    let clock: any TimeSource
    let crypto: any CryptoProvider
    let log: any Logger

    func register(_ registrar: any Registrar) {
        let webhook = self
        registrar.webhook("/webhook", verify: { request in
            guard let secret = webhook.secret else { return .accept }
            let failure = ChatwootSignature.check(signature: request.headers["x-chatwoot-signature"], timestamp: request.headers["x-chatwoot-timestamp"],
                                                  body: request.body, secret: secret, nowSeconds: webhook.clock.nowMillis / 1000,
                                                  crypto: webhook.crypto)
            return failure.map { .reject(reason: $0.rawValue) } ?? .accept
        }, dedupeKey: { request in
            if let delivery = request.headers["x-chatwoot-delivery"], !delivery.isEmpty { return "delivery:\(delivery)" }
            guard let event = try? ChatwootEvent(body: request.body), let name = event.name, let id = event.string("id") else { return nil }
            return "\(name):\(id):\(event.string("updated_at") ?? event.string("created_at") ?? "")"
        }, process: { item in
            try await webhook.process(item)
        })
    }

    private func normalizedPhone(_ event: ChatwootEvent, name: String) -> PhoneNumber? {
        guard let text = event.phoneText else { return nil }
        do {
            return try phones.normalize(text)
        } catch {
            log.warning("chatwoot contact phone is not a phone number", ["event": name, "reason": "\(error)"])
            return nil
        }
    }

    /// What processing one event did.
    enum Outcome: Sendable, Equatable {
        /// Recorded (or nothing to record, e.g. an outgoing message): its id is now marked seen.
        case processed
        /// Reconciliation found the message already processed (by the webhook or an earlier run).
        case alreadySeen
    }

    /// Where an event came from: a webhook delivery, or reconciliation rebuilding a missed one.
    enum Origin: Sendable {
        case webhook
        case reconciliation
    }

    func process(_ item: InboxItem) async throws -> JobOutcome {
        let event: ChatwootEvent
        do {
            event = try ChatwootEvent(body: item.body)
        } catch {
            throw PermanentJobError("not a Chatwoot webhook body: \(error)")
        }
        _ = try await process(event, origin: .webhook)
        return .done
    }

    /// The one processing path for webhook deliveries and reconciliation:
    /// - `message_created`: an incoming message (not a private note, not an outgoing one: those
    ///   are agents' or our own, and echoing them would loop) goes to the message log, channel
    ///   `chatwoot`, from the contact's phone;
    /// - `message_created`/`message_updated` carrying a `flow_token` in `content_attributes` (a
    ///   Flow reply) is evidence for that token's phone;
    /// - every event with a phone is evidence for the contact id and the conversation id
    ///   (`custom` key `chatwoot:contact:<id>`, `conversation` key `chatwoot:<id>`);
    /// - a message's id is marked seen in the same transaction; from reconciliation, a message
    ///   already seen changes nothing (`alreadySeen`).
    func process(_ event: ChatwootEvent, origin: Origin) async throws -> Outcome {
        guard let name = event.name else { throw PermanentJobError("a Chatwoot webhook body without an event") }
        let isMessage = name == "message_created" || name == "message_updated"
        let messageID = isMessage ? event.string("id").flatMap { Int64($0) } : nil
        let ignored = isMessage && event.isPrivate
        let phone = ignored ? nil : normalizedPhone(event, name: name)
        let token = isMessage && event.isIncoming && !ignored ? event.flowToken : nil
        let logInbound = name == "message_created" && event.isIncoming && !ignored
        guard messageID != nil || phone != nil || logInbound else { return .processed }
        let phones = self.phones
        let channels = self.channels
        let contact = event.contactID
        let conversation = event.conversationID
        let text = event.string("content")
        let at = event.createdAtMillis
        let now = clock.nowMillis
        return try await store.write { db in
            if let messageID {
                let fresh = try db.execute(ChatwootSQL.markSeen, [.integer(messageID), conversation.flatMap { Int64($0) }.map(SQLValue.integer) ?? .null,
                                                                  .integer(now)]) == 1
                if !fresh && origin == .reconciliation { return .alreadySeen }
            }
            if logInbound {
                try channels.received(channel: Self.channel, from: phone?.e164 ?? contact.map { "chatwoot-contact:\($0)" } ?? "unknown",
                                      message: ChannelMessage(text: text), providerID: messageID.map { "message:\($0)" }, receivedAt: at, in: db)
            }
            guard let phone else { return .processed }
            if let token { try phones.learn(key: .flowToken(token), phone: phone, source: Self.source, in: db) }
            if let contact { try phones.learn(key: .custom("chatwoot:contact:\(contact)"), phone: phone, source: Self.source, in: db) }
            if let conversation { try phones.learn(key: .conversation("chatwoot:\(conversation)"), phone: phone, source: Self.source, in: db) }
            return .processed
        }
    }
}
