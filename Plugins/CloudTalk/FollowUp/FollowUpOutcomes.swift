import PluginAPI

/// Follows the channel's verdict on a follow-up: `message.sent` makes it `sent` (with the time
/// the reply window starts from); `message.failed` makes it `failed` and frees the phone's
/// cooldown, so a later call can try again. Messages that are not follow-ups are ignored.
struct FollowUpOutcomes: Sendable {
    let store: any Store
    let log: any Logger
    let metrics: any MetricsRecorder
    let clock: any TimeSource

    func sent(_ event: Event) async throws -> JobOutcome {
        let message = try JobPayloadReader(event.payload)
        let messageID = try message.int("message_id")
        let at = message.optionalInt("at") ?? event.publishedAt
        let now = clock.nowMillis
        let changed = try await store.write { db in try db.execute(CallSQL.markSent, messageID, at, now) }
        if changed > 0 {
            metrics.increment("follow_ups_sent")
            log.info("cloudtalk follow-up sent", ["message_id": "\(messageID)"])
        }
        return .done
    }

    func failed(_ event: Event) async throws -> JobOutcome {
        let message = try JobPayloadReader(event.payload)
        let messageID = try message.int("message_id")
        let error = message.string("error") ?? "the channel gave up"
        let now = clock.nowMillis
        let failedCall: Int64? = try await store.write { db in
            guard let row = try db.queryOne(CallSQL.findByMessage, messageID) else { return nil }
            let id = try row.int("id")
            try db.execute(CallSQL.markFailed, id, "channel: \(error)", now)
            if let phone = try row.optionalString("external_number") { try db.execute(CallSQL.releaseCooldown, phone, id) }
            return id
        }
        if let failedCall {
            metrics.increment("follow_ups_failed")
            log.warning("cloudtalk follow-up failed in the channel", ["call": "\(failedCall)", "message_id": "\(messageID)"])
        }
        return .done
    }
}
