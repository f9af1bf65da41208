import PluginAPI

/// The `cloudtalk.follow_up` job: renders the template for one call and hands the message to
/// the configured channel (whose queue applies the provider's rate limit), unless the phone had
/// a follow-up within `cooldown` (then `skipped`). A template field the call lacks makes the
/// follow-up `failed` with the placeholder named; nothing is sent. The message stays
/// `scheduled` until the channel reports it `message.sent` (see `FollowUpOutcomes`).
struct FollowUpSender: Sendable {
    static let jobName = "cloudtalk.follow_up"

    let settings: FollowUpSettings
    let store: any Store
    let phones: any Phones
    let channels: any Channels
    let log: any Logger
    let metrics: any MetricsRecorder
    let clock: any TimeSource

    /// The job for call `id`, due at `at`; `force` (an operator's retry) ignores the cooldown.
    static func job(call id: Int64, at: Int64?, force: Bool = false) -> JobRequest {
        JobRequest(name: jobName, payload: "{\"call\":\(id),\"force\":\(force)}", runAt: at, uniqueKey: "follow_up:\(id)")
    }

    enum Outcome: Sendable {
        case notScheduled
        case skipped
        case queued(messageID: Int64)
    }

    func run(_ job: JobContext) async throws -> JobOutcome {
        let request = try JobPayloadReader(job.payload)
        let id = try request.int("call")
        let force = request.bool("force") ?? false
        guard let call = try await store.read({ try CallRecord.load(id, in: $0) }),
              call.followUpStatus == CallRecord.FollowUp.scheduled, call.followUpMessageID == nil else { return .done }
        // 1. the phone and the text; a field the call lacks fails the follow-up, never sends `{name}`
        guard let number = call.externalNumber, let phone = try? phones.normalize(number, region: nil) else {
            try await fail(call, "the call has no external phone number")
            return .done
        }
        let text: String
        do {
            text = try settings.template.render(call.fields)
        } catch {
            try await fail(call, error.description)
            return .done
        }
        // 2. the cooldown and the send, in one transaction
        let now = clock.nowMillis
        let since = force ? now : now - settings.cooldown.milliseconds
        let channel = settings.channel
        let channels = self.channels
        let cooldown = settings.cooldown
        let outcome: Outcome
        do {
            outcome = try await store.write { db -> Outcome in
                guard try db.execute(CallSQL.claimSend, id, now) == 1 else { return .notScheduled }
                guard try !db.query(CallSQL.takeCooldown, phone.e164, id, now, since).isEmpty else {
                    try db.execute(CallSQL.setOutcome, id, CallRecord.FollowUp.skipped,
                                   "this phone had a follow-up less than \(cooldown) ago", now)
                    return .skipped
                }
                let messageID = try channels.send(channel: channel, to: phone, message: ChannelMessage(text: text), in: db)
                try db.execute(CallSQL.setMessage, id, messageID, now)
                return .queued(messageID: messageID)
            }
        } catch let error as StorageError {
            throw error
        } catch {
            // The channel refused the message (not registered: its plugin is disabled): no retry helps.
            try await fail(call, "channel \(channel): \(error)")
            return .done
        }
        switch outcome {
        case .notScheduled: break
        case .skipped:
            metrics.increment("follow_ups_skipped")
            log.info("cloudtalk follow-up skipped: cooldown", ["call": "\(id)", "phone": phone.masked])
        case .queued(let messageID):
            metrics.increment("follow_ups_queued")
            log.info("cloudtalk follow-up queued", ["call": "\(id)", "phone": phone.masked, "channel": channel, "message_id": "\(messageID)"])
        }
        return .done
    }

    /// The job for `call` died before handing the message to the channel (its attempts ran
    /// out, or its worker crashed on the last): the follow-up is `failed`, not left `scheduled`,
    /// so it shows up for an operator's retry.
    func jobDied(call id: Int64, error: String) async throws {
        guard let call = try await store.read({ try CallRecord.load(id, in: $0) }),
              call.followUpStatus == CallRecord.FollowUp.scheduled, call.followUpMessageID == nil else { return }
        try await fail(call, "the follow-up job died: \(error)")
    }

    private func fail(_ call: CallRecord, _ reason: String) async throws {
        let now = clock.nowMillis
        try await store.write { db in try db.execute(CallSQL.setOutcome, call.id, CallRecord.FollowUp.failed, reason, now) }
        metrics.increment("follow_ups_failed")
        log.warning("cloudtalk follow-up failed", ["call": "\(call.id)", "reason": reason])
    }
}
