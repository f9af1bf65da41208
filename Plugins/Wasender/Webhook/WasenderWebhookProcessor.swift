import PluginAPI

/// Processes one stored Wasender delivery.
///
/// - Messages from customers go to the message log (`channels.received`, channel `wasender`)
///   from the normalised phone, or from the `@lid`/jid when there is no phone; the provider id is
///   `key.id`, so the same message in `messages.received`, `messages.upsert` and
///   `messages-personal.received` is logged once even past the inbox's dedupe.
/// - `fromMe` messages are our own (or the phone's) outgoing messages echoed: recording them as
///   received would count as a customer reply, so they are only counted (`outbound_echoes`) and
///   logged at debug.
/// - `messages.update` / `message-receipt.update` update the message log (`channels.status`);
///   unknown ids (not sent through this host) are ignored by the kernel.
/// - `session.status` other than `connected` is a warning and `session_disconnected`; the
///   `session_connected` gauge follows every status.
struct WasenderWebhookProcessor: Sendable {
    static let channel = "wasender"

    let store: any Store
    let phones: any Phones
    let channels: any Channels
    let log: any Logger
    let metrics: any MetricsRecorder

    func process(_ item: InboxItem) async throws -> JobOutcome {
        let event: WasenderEvent
        do {
            event = try WasenderEvent(body: item.body)
        } catch {
            throw PermanentJobError("not a Wasender webhook body: \(error)")
        }
        switch event.kind {
        case .message: try await record(event.messages, receivedAt: item.receivedAt)
        case .status:
            let channels = self.channels
            let statuses = event.statuses
            try await store.write { db in
                for status in statuses {
                    _ = try channels.status(channel: Self.channel, providerID: status.id, status: status.status,
                                            error: status.status == "failed" ? "wasender reported status 0 (error)" : nil, in: db)
                }
            }
        case .session: session(event.sessionStatus ?? "unknown")
        case .other: log.debug("wasender event ignored", ["event": event.name])
        }
        return .done
    }

    private func record(_ messages: [WasenderEvent.Message], receivedAt: Int64) async throws {
        var inbound: [(sender: String, message: ChannelMessage, id: String?, at: Int64?)] = []
        for message in messages {
            if message.fromMe {
                metrics.increment("outbound_echoes")
                log.debug("wasender fromMe message not recorded", ["provider_id": message.id ?? ""])
                continue
            }
            inbound.append((sender(message), ChannelMessage(text: text(message), mediaURL: message.mediaURL, payload: message.json,
                                                           mediaType: message.mediaType),
                            message.id, message.at ?? receivedAt))
        }
        guard !inbound.isEmpty else { return }
        let channels = self.channels
        let toRecord = inbound
        try await store.write { db in
            for entry in toRecord {
                try channels.received(channel: Self.channel, from: entry.sender, message: entry.message, providerID: entry.id,
                                      receivedAt: entry.at, in: db)
            }
        }
    }

    /// The E.164 phone, else the `@lid`/jid (never its digits as a phone), else `unknown`.
    private func sender(_ message: WasenderEvent.Message) -> String {
        if let digits = message.phoneDigits {
            do {
                return try phones.normalize("+" + digits, region: nil).e164
            } catch {
                log.warning("wasender sender is not a phone number", ["reason": "\(error)", "provider_id": message.id ?? ""])
            }
        }
        return message.senderID ?? "unknown"
    }

    /// The text; a media message without a caption is noted by its type (`[image]`).
    private func text(_ message: WasenderEvent.Message) -> String? {
        if let type = message.mediaType, message.text == nil { return "[\(type)]" }
        return message.text
    }

    private func session(_ status: String) {
        metrics.gauge("session_connected", labels: [:], value: status == "connected" ? 1 : 0)
        guard status != "connected" else {
            log.info("wasender session connected")
            return
        }
        log.warning("wasender session is not connected: nothing can be sent until it is (scan the QR code in Wasender)",
                    ["status": status])
        metrics.increment("session_disconnected", labels: ["status": status])
    }
}
