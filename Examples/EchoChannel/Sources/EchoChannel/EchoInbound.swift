import Foundation
import PluginAPI

/// One inbound message as the provider posts it:
/// `{"id": "m-1", "from": "+212610059159", "conversation": "c-7", "text": "hello"}`.
struct EchoInboundMessage: Decodable, Sendable {
    var id: String
    var from: String
    var conversation: String
    var text: String
}

/// Processes a stored webhook (a job: retried, then dead and replayable). Idempotent: the
/// message row, the message log entry and the evidence are each written once per message id,
/// all in one transaction, so a retry after a crash neither loses nor doubles anything.
struct EchoInbound: Sendable {
    let store: any Store
    let phones: any Phones
    let channels: any Channels
    let log: any Logger

    /// The provider resends a message with the same id: that id makes a redelivery a duplicate.
    static let dedupeKey: DedupeKeyExtractor = { request in
        (try? JSONDecoder().decode(EchoInboundMessage.self, from: Data(request.body)))?.id
    }

    /// The phone-key a conversation's evidence is kept under, namespaced by the plugin.
    static func conversationKey(_ conversation: String) -> PhoneKey { .conversation("echo:\(conversation)") }

    func process(_ item: InboxItem) async throws -> JobOutcome {
        let message: EchoInboundMessage
        do {
            message = try JSONDecoder().decode(EchoInboundMessage.self, from: Data(item.body))
        } catch {
            // A body that does not parse never will: no retry, the item goes to dead for a look.
            throw PermanentJobError("echo webhook body is not a message: \(error)")
        }
        let phone: PhoneNumber
        do {
            phone = try phones.normalize(message.from)
        } catch {
            log.warning("echo message without a usable phone", ["message_id": message.id, "reason": "\(error)"])
            return .cancel(reason: "sender is not a phone number: \(error)")
        }
        let receivedAt = item.receivedAt
        try await store.write { [phones, channels] connection in
            _ = try connection.execute("""
                INSERT INTO echo_messages (provider_id, conversation, phone, text, received_at)
                VALUES ($1, $2, $3, $4, $5) ON CONFLICT (provider_id) DO NOTHING
                """, message.id, message.conversation, phone.e164, message.text, receivedAt)
            try channels.received(channel: EchoAPI.channel, from: phone.e164, message: ChannelMessage(text: message.text),
                                  providerID: message.id, receivedAt: receivedAt, in: connection)
            try phones.learn(key: Self.conversationKey(message.conversation), phone: phone, source: "echo.webhook", in: connection)
        }
        log.info("echo message received", ["message_id": message.id, "from": phone.masked])
        return .done
    }
}
