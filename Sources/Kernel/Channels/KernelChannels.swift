import FoundationEssentials
import PluginAPI

/// `context.channels`: the message log and the channel queues.
struct KernelChannels: Channels {
    let services: KernelServices

    func send(channel: String, to: PhoneNumber, message: ChannelMessage, in db: any SQLConnection) throws -> Int64 {
        let queue = try services.jobQueue()
        guard let job = queue.registry.channels[channel] else { throw JobError("no channel named \(channel) is registered (plugin disabled?)") }
        guard message.text != nil || message.mediaURL != nil || message.payload != nil else { throw JobError("a message needs text, media or a payload") }
        let now = services.clock.nowMillis
        let rows = try db.query(ChannelSQL.insertOutbound, [.text(channel), .text(to.e164), Self.value(message.text), Self.value(message.mediaURL),
                                                           Self.value(message.payload), .integer(now)])
        guard let id = try rows.first?.int("id") else { throw StorageError(.other, "message insert returned no id") }
        try queue.enqueue(JobRequest(name: job, payload: "{\"message_id\":\(id)}", uniqueKey: "message:\(id)"), in: db)
        return id
    }

    func received(channel: String, from: String, message: ChannelMessage, providerID: String?, receivedAt: Int64?,
                  in db: any SQLConnection) throws -> Int64 {
        // A provider redelivering (or an operator replaying) the same message is logged and announced once.
        if let providerID, let existing = try db.query(ChannelSQL.findInbound, [.text(channel), .text(providerID)]).first {
            return try existing.int("id")
        }
        let at = receivedAt ?? services.clock.nowMillis
        let rows = try db.query(ChannelSQL.insertInbound, [.text(channel), .text(from), Self.value(message.text), Self.value(message.mediaURL),
                                                          Self.value(message.payload), Self.value(providerID), .integer(at)])
        guard let id = try rows.first?.int("id") else { throw StorageError(.other, "message insert returned no id") }
        try ServicesEventBus(services: services).publish("message.received", payload: MessageEvent(
            messageID: id, channel: channel, phone: from, text: message.text, mediaURL: message.mediaURL, mediaType: message.mediaType,
            payload: message.payload, providerID: providerID, status: "received", error: nil, at: at).json, in: db)
        return id
    }

    func status(channel: String, providerID: String, status: String, error: String?, in db: any SQLConnection) throws -> Bool {
        guard let id = try db.query(ChannelSQL.findByProvider, [.text(channel), .text(providerID)]).first?.int("id") else { return false }
        let now = services.clock.nowMillis
        try db.execute(ChannelSQL.setStatus, [.integer(id), .text(status), Self.value(error), .integer(now)])
        let row = try db.query(ChannelSQL.load, [.integer(id)]).first
        try ServicesEventBus(services: services).publish("message.status", payload: MessageEvent(
            messageID: id, channel: channel, phone: try row?.string("phone") ?? "", text: nil, mediaURL: nil, payload: nil,
            providerID: providerID, status: status, error: error, at: now).json, in: db)
        return true
    }

    static func value(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }
}

/// The payload of `message.*` events (JSON, snake_case).
struct MessageEvent: Encodable {
    var messageID: Int64
    var channel: String
    var phone: String
    var text: String?
    var mediaURL: String?
    /// `image`, `video`, `audio`, `document`, `sticker` for inbound media (`message.received`).
    var mediaType: String? = nil
    var payload: String?
    var providerID: String?
    var status: String
    var error: String?
    var at: Int64

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case channel, phone, text
        case mediaURL = "media_url"
        case mediaType = "media_type"
        case payload
        case providerID = "provider_id"
        case status, error, at
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// The job that sends one logged message through its channel's plugin.
enum ChannelSendJob {
    /// Marks the message failed and publishes `message.failed`, in the caller's transaction.
    static func recordFailure(messageID id: Int64, channel: String, phone: String, text: String?, error: String, at: Int64,
                              events: any EventBus, in db: any SQLConnection) throws {
        try db.execute(ChannelSQL.markFailed, [.integer(id), .text(error), .integer(at)])
        try events.publish("message.failed", payload: MessageEvent(
            messageID: id, channel: channel, phone: phone, text: text, mediaURL: nil,
            payload: nil, providerID: nil, status: "failed", error: error, at: at).json, in: db)
    }

    /// A send job died without recording an outcome (its worker crashed or hung on the last
    /// attempt): the message is failed, as a last attempt's error would have made it, unless
    /// it was sent or failed already.
    static func jobDied(_ job: DeadJob, channel: String, at: Int64, events: any EventBus, in db: any SQLConnection) throws {
        guard let id = JobPayload.id("message_id", in: job.payload),
              let row = try db.query(ChannelSQL.load, [.integer(id)]).first else { return }
        let status = try row.string("status")
        guard status != "sent", status != "failed" else { return }
        try recordFailure(messageID: id, channel: channel, phone: try row.string("phone"), text: try row.optionalString("text"),
                          error: String("the send job died: \(job.error)".prefix(1000)), at: at, events: events, in: db)
    }

    static func handler(channel: String, services: KernelServices, send: @escaping ChannelSender) -> JobHandler {
        { context in
            guard let id = JobPayload.id("message_id", in: context.payload) else {
                throw PermanentJobError("send payload has no message_id")
            }
            let store = services.store
            guard let row = try await store.read({ try $0.query(ChannelSQL.load, [.integer(id)]).first }) else {
                return .cancel(reason: "message \(id) no longer exists")
            }
            // Idempotent: a rerun after a crash does not send twice what was recorded as sent.
            if try row.string("status") == "sent" { return .done }
            let delivery = ChannelDelivery(messageID: id, channel: channel, to: try row.string("phone"),
                                           message: ChannelMessage(text: try row.optionalString("text"), mediaURL: try row.optionalString("media_url"),
                                                                   payload: try row.optionalString("payload")),
                                           attempt: context.attempt)
            let events = ServicesEventBus(services: services)
            let now = { services.clock.nowMillis }
            do {
                let receipt = try await send(delivery)
                let at = now()
                try await store.write { db in
                    try db.execute(ChannelSQL.markSent, [.integer(id), KernelChannels.value(receipt.providerID), .integer(at)])
                    try events.publish("message.sent", payload: MessageEvent(
                        messageID: id, channel: channel, phone: delivery.to, text: delivery.message.text, mediaURL: delivery.message.mediaURL,
                        payload: nil, providerID: receipt.providerID, status: "sent", error: nil, at: at).json, in: db)
                }
                return .done
            } catch {
                // The last attempt, or one that cannot succeed: record the failure and tell subscribers.
                if context.attempt >= context.maxAttempts || (error as? any RetryAdvising)?.isRetryable == false {
                    let at = now()
                    let message = String("\(error)".prefix(1000))
                    try await store.write { db in
                        try recordFailure(messageID: id, channel: channel, phone: delivery.to, text: delivery.message.text,
                                          error: message, at: at, events: events, in: db)
                    }
                }
                throw error
            }
        }
    }
}
