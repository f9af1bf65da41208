import PluginAPI

/// Marks calls answered: on `message.received` from any channel, the latest call whose
/// follow-up was sent to the same phone within `reply_window` before the message gets
/// `replied_at` (the first reply's time) and `document_received` when the message (this one or
/// a later one) carries a document or an image. Messages from senders that are not phone
/// numbers (`@lid` ids) and messages nobody followed up are ignored. A reply that arrives while
/// a follow-up to its phone is still in the channel's queue waits (snoozes) until it has left.
struct ReplyTracker: Sendable {
    /// A reply may be stamped slightly before our send is (the provider's clock against ours).
    static let clockSkew: Int64 = 60_000
    /// How long a reply waits for a follow-up still in its channel's queue.
    static let pendingWait = 30.0
    /// `media_type`s that count as the document the follow-up asks for.
    static let documentTypes: Set<String> = ["document", "image"]

    let replyWindow: ConfigDuration
    let store: any Store
    let phones: any Phones
    let log: any Logger
    let metrics: any MetricsRecorder
    let clock: any TimeSource

    func handle(_ event: Event) async throws -> JobOutcome {
        let message = try JobPayloadReader(event.payload)
        guard let sender = message.string("phone"), let phone = try? phones.normalize(sender, region: nil) else { return .done }
        let at = message.optionalInt("at") ?? event.publishedAt
        let isDocument = message.string("media_type").map(Self.documentTypes.contains) ?? false
        let messageID = message.optionalInt("message_id")
        let window = replyWindow.milliseconds
        let now = clock.nowMillis
        // Our message is queued (or its `message.sent` not processed yet): decide once its
        // outcome is known, or this reply could be matched to an older call, or lost.
        if try await store.read({ try $0.queryOne(CallSQL.pendingFollowUp, phone.e164) }) != nil {
            return .snooze(seconds: Self.pendingWait)
        }
        let call: Int64? = try await store.write { db in
            guard let row = try db.queryOne(CallSQL.replyTarget, phone.e164, at + Self.clockSkew, at - window) else { return nil }
            let id = try row.int("id")
            try db.execute(CallSQL.markReplied, id, at, messageID, isDocument, now)
            return id
        }
        guard let call else { return .done }
        metrics.increment("replies", labels: ["document": isDocument ? "true" : "false"])
        log.info("cloudtalk follow-up answered", ["call": "\(call)", "phone": phone.masked, "document": "\(isDocument)"])
        return .done
    }
}
