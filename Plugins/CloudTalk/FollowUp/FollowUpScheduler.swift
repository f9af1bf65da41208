import PluginAPI

/// Applies the rule to a recorded call and, when it holds, schedules the follow-up job for
/// `delay` after the webhook arrived (the kernel's delayed enqueue: the job waits in storage,
/// so a restart loses nothing). Runs in the caller's transaction; a call decided before is left
/// as it is.
struct FollowUpScheduler: Sendable {
    let settings: FollowUpSettings?
    let rule: FollowUpRule
    let jobs: any JobQueue
    let clock: any TimeSource

    func decide(call id: Int64, in db: any SQLConnection) throws {
        guard let call = try CallRecord.load(id, in: db), call.decision == nil else { return }
        let now = clock.nowMillis
        let verdict = rule.evaluate(call)
        guard let settings else {
            try db.execute(CallSQL.decide, id, verdict.send, "follow_up is not configured", CallRecord.FollowUp.none, SQLValue.null, now)
            return
        }
        guard verdict.send else {
            try db.execute(CallSQL.decide, id, false, verdict.reason, CallRecord.FollowUp.none, SQLValue.null, now)
            return
        }
        let due = call.receivedAt + settings.delay.milliseconds
        try db.execute(CallSQL.decide, id, true, verdict.reason, CallRecord.FollowUp.scheduled, due, now)
        try jobs.enqueue(FollowUpSender.job(call: id, at: due), in: db)
    }
}

/// `follow_up` with its defaults applied and its template parsed.
struct FollowUpSettings: Sendable {
    var channel: String
    var delay: ConfigDuration
    var template: MessageTemplate
    var cooldown: ConfigDuration
    var replyWindow: ConfigDuration

    /// `config` must have passed `validate` (the template parses).
    init(_ config: FollowUpConfig) throws {
        channel = config.channel
        delay = config.delay ?? FollowUpConfig.defaultDelay
        template = try MessageTemplate(parsing: config.template)
        cooldown = config.cooldown ?? FollowUpConfig.defaultCooldown
        replyWindow = config.replyWindow ?? FollowUpConfig.defaultReplyWindow
    }
}
