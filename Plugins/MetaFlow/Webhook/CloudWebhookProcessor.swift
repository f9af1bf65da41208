import Foundation
import PluginAPI

/// Processes one stored Cloud API delivery: every `entry[].changes[].value`.
///
/// - messages of every type go to the message log (`channels.received`, channel
///   `whatsapp_cloud`) from the normalised phone, or from the business-scoped user id when Meta
///   omits the phone; unknown types are kept with their JSON, never rejected;
/// - a user id seen with a phone is evidence for that id (later username-only messages resolve);
/// - an `nfm_reply` completes the Flow's response and is evidence for its `flow_token` and the
///   Flow message's wamid; without a phone, the token is linked to the user id, so evidence for
///   the id resolves it later;
/// - statuses update the message log (`channels.status`); `errors[]` are logged.
///
/// All of one delivery is written in one transaction; a replay changes nothing twice (the
/// message log is idempotent per provider id, evidence per key and source, and a completed
/// response's answers merge to the same record).
struct CloudWebhookProcessor: Sendable {
    static let channel = "whatsapp_cloud"
    static let nfmSource = "metaflow.nfm_reply"
    static let contactSource = "metaflow.webhook"

    let store: any Store
    let phones: any Phones
    let channels: any Channels
    let events: any EventBus
    let log: any Logger
    let clock: any TimeSource
    /// The flow a reply's record is filed under when we did not issue its token.
    let defaultFlow: String?

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    func process(_ item: InboxItem) async throws -> JobOutcome {
        let payload: CloudWebhookPayload
        let raw: Any
        do {
            payload = try JSONDecoder().decode(CloudWebhookPayload.self, from: Data(item.body))
            raw = try JSONSerialization.jsonObject(with: Data(item.body))
        } catch {
            throw PermanentJobError("not a Cloud API webhook body: \(error)")
        }
        let rawEntries = (raw as? [String: Any])?["entry"] as? [Any] ?? []
        let phones = self.phones
        let channels = self.channels
        let log = self.log
        let now = clock.nowMillis
        let defaultFlow = self.defaultFlow
        let events = self.events
        let work = try Self.plan(payload, rawEntries: rawEntries, phones: phones, log: log)
        try await store.write { db in
            for message in work.messages {
                try channels.received(channel: Self.channel, from: message.sender,
                                      message: ChannelMessage(text: message.text, payload: message.json, mediaType: message.mediaType),
                                      providerID: message.id, receivedAt: message.at, in: db)
                if let phone = message.phone, let user = message.userID {
                    try phones.learn(key: .bsuid(user), phone: phone, source: Self.contactSource, in: db)
                }
                guard let flow = message.flow else { continue }
                // The record the endpoint started (or a new one: Flows without an endpoint answer only here),
                // completed with the reply's answers; a new record is registered for phone resolution.
                let flowName = try db.queryOne(CloudWebhookSQL.issuedFlow, flow.token)?.string("flow") ?? defaultFlow ?? "unknown"
                _ = try ResponseStore.upsert(flow: flowName, token: flow.token, change: .complete(flow.answers), now: now, phones: phones,
                                             events: events, log: log, in: db)
                if let wamid = message.repliesTo { try phones.link(.flowToken(flow.token), .waMessageID(wamid), in: db) }
                if let phone = message.phone {
                    try phones.learn(key: .flowToken(flow.token), phone: phone, source: Self.nfmSource, in: db)
                } else if let user = message.userID {
                    try phones.link(.flowToken(flow.token), .bsuid(user), in: db)
                }
            }
            for status in work.statuses {
                _ = try channels.status(channel: Self.channel, providerID: status.id, status: status.status, error: status.error, in: db)
            }
        }
        return .done
    }

    /// One inbound message, ready to record.
    struct InboundMessage {
        var id: String?
        var sender: String
        var phone: PhoneNumber?
        var userID: String?
        var text: String?
        var json: String?
        /// `image`, `video`, `audio`, `document`, `sticker`: Meta's `type` for media messages.
        var mediaType: String?
        var at: Int64?
        var repliesTo: String?
        var flow: (token: String, answers: [String: JSONValue])?
    }

    struct StatusUpdate {
        var id: String
        var status: String
        var error: String?
    }

    struct Work {
        var messages: [InboundMessage] = []
        var statuses: [StatusUpdate] = []
    }

    /// Everything to write, worked out before the transaction (parsing, normalising).
    static func plan(_ payload: CloudWebhookPayload, rawEntries: [Any], phones: any Phones, log: any Logger) throws -> Work {
        var work = Work()
        for (e, entry) in (payload.entry ?? []).enumerated() {
            let rawChanges = (rawEntries[safe: e] as? [String: Any])?["changes"] as? [Any] ?? []
            for (c, change) in (entry.changes ?? []).enumerated() {
                guard let value = change.value else { continue }
                let rawValue = (rawChanges[safe: c] as? [String: Any])?["value"] as? [String: Any]
                let rawMessages = rawValue?["messages"] as? [Any] ?? []
                for (m, message) in (value.messages ?? []).enumerated() {
                    work.messages.append(try inbound(message, raw: rawMessages[safe: m], contacts: value.contacts ?? [], phones: phones, log: log))
                }
                for status in value.statuses ?? [] {
                    guard let id = status.id, let name = status.status else { continue }
                    let error = status.errors?.map { "\($0.code.map(String.init) ?? "?") \($0.title ?? $0.message ?? "")" }.joined(separator: "; ")
                    work.statuses.append(StatusUpdate(id: id, status: name, error: error))
                }
                for error in value.errors ?? [] {
                    log.warning("cloud api error", ["code": error.code.map(String.init) ?? "?", "title": error.title ?? ""])
                }
            }
        }
        return work
    }

    /// Meta's message types that are media (their `type` names are the kernel's `media_type` names).
    static let mediaTypes: Set<String> = ["image", "video", "audio", "document", "sticker"]

    static func inbound(_ message: CloudWebhookPayload.Message, raw: Any?, contacts: [CloudWebhookPayload.Contact],
                        phones: any Phones, log: any Logger) throws -> InboundMessage {
        // `from` is the user's number (digits, no +); `contacts[].wa_id` when `from` is absent.
        let userID = message.fromUserID ?? contacts.first?.userID
        let digits = message.from ?? contacts.first { $0.userID == userID }?.waID
        var phone: PhoneNumber?
        if let digits {
            do {
                phone = try phones.normalize("+" + digits, region: nil)
            } catch {
                log.warning("sender is not a phone number", ["reason": "\(error)", "message": message.id ?? ""])
            }
        }
        var json: String?
        if let raw, let data = try? JSONSerialization.data(withJSONObject: raw, options: [.sortedKeys, .withoutEscapingSlashes]) {
            json = String(decoding: data, as: UTF8.self)
        }
        var flow: (String, [String: JSONValue])?
        if let reply = message.interactive?.nfmReply {
            flow = try flowAnswers(reply, messageID: message.id)
        }
        return InboundMessage(id: message.id, sender: phone?.e164 ?? userID ?? "unknown", phone: phone, userID: userID,
                              text: message.readableText, json: json,
                              mediaType: message.type.flatMap { Self.mediaTypes.contains($0) ? $0 : nil }, at: message.timestampMillis, repliesTo: message.context?.id,
                              flow: flow)
    }

    /// The `flow_token` and the answers (every other key) of an `nfm_reply`'s `response_json`;
    /// nil when it carries no token (some clients omit it).
    static func flowAnswers(_ reply: CloudWebhookPayload.FlowReply, messageID: String?) throws -> (String, [String: JSONValue])? {
        guard let text = reply.responseJSON,
              var answers = try? JSONText.decode([String: JSONValue].self, from: Array(text.utf8)) else {
            throw PermanentJobError("nfm_reply \(messageID ?? "") has no JSON object in response_json")
        }
        guard case .string(let token)? = answers.removeValue(forKey: "flow_token"), !token.isEmpty else { return nil }
        return (token, answers)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
