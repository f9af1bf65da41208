import PluginAPI

/// Processes one stored CloudTalk delivery: a call that ended becomes a row of
/// `cloudtalk_calls` and a `call.ended` event, in one transaction, then either an enrichment
/// job (the API fills what the webhook lacks) or the follow-up decision. A replay of the same
/// call (same `call_uuid`, else `call_id`) finds its row and changes nothing.
struct CallWebhookProcessor: Sendable {
    let store: any Store
    let phones: any Phones
    let events: any EventBus
    let jobs: any JobQueue
    let log: any Logger
    let metrics: any MetricsRecorder
    let clock: any TimeSource
    let scheduler: FollowUpScheduler
    /// Whether API keys are configured (`cloudtalk.enrich` exists).
    let enrichmentEnabled: Bool
    /// Fields the follow-up template names: missing ones are a reason to ask the API.
    let templateFields: [String]

    func process(_ item: InboxItem) async throws -> JobOutcome {
        let payload: CallPayload
        do {
            payload = try CallPayload(body: item.body)
        } catch {
            throw PermanentJobError("not a CloudTalk webhook body: \(error)")
        }
        guard payload.isCallEnded else {
            log.debug("cloudtalk event ignored", ["event_type": payload.eventType ?? ""])
            metrics.increment("events_ignored")
            return .done
        }
        guard let key = payload.dedupeKey else {
            throw PermanentJobError("the webhook body has neither call_uuid nor call_id: fix the workflow's template")
        }
        // 1. normalise the numbers (outside the transaction: pure)
        let external = normalize(payload.externalNumber, member: "external_number", key: key)
        let internalNumber = normalize(payload.internalNumber, member: "internal_number", key: key)
        let fields = CallFields.merge(payload, external: external, internalPhone: internalNumber)
        let needsEnrichment = enrichmentEnabled && payload.callID != nil
            && (payload.status == nil || payload.talkingTime == nil || templateFields.contains { fields[$0] == nil })
        let fieldsJSON = (try? JSONText.string(fields)) ?? "{}"
        let now = clock.nowMillis
        let events = self.events
        let jobs = self.jobs
        let scheduler = self.scheduler
        // 2. the row, the event and what comes next, together
        let inserted: Int64? = try await store.write { db in
            // A call already known by its other id (the uuid-less delivery of a recording, say)
            // is not a second call: fill in what it lacked.
            if let existing = try Self.existing(payload, in: db) {
                try db.execute(CallSQL.fillLater, existing, payload.recordingURL, payload.callUUID, payload.callID, now)
                return nil
            }
            let row = try db.queryOne(CallSQL.insert, key, payload.callID, payload.callUUID, payload.direction, external?.e164,
                                      internalNumber?.e164, payload.agentID, payload.status, payload.talkingTime, payload.waitingTime,
                                      payload.wrapupTime, payload.recordingURL, payload.tags.joined(separator: ", "), fieldsJSON,
                                      payload.rawJSON, needsEnrichment ? "pending" : "none", item.receivedAt, now)
            guard let id = try row?.int("id") else { return nil }
            try events.publish(CallEndedEvent.name, payload: CallEndedEvent.json(payload, external: external, internalPhone: internalNumber,
                                                                                  receivedAt: item.receivedAt), in: db)
            if needsEnrichment {
                try jobs.enqueue(JobRequest(name: CallEnricher.jobName, payload: "{\"call\":\(id)}", uniqueKey: "enrich:\(id)"), in: db)
            } else {
                try scheduler.decide(call: id, in: db)
            }
            return id
        }
        if let inserted {
            metrics.increment("calls_recorded")
            log.info("cloudtalk call recorded", ["call": "\(inserted)", "external_number": external?.masked ?? "none",
                                                 "enrichment": needsEnrichment ? "pending" : "none"])
        } else {
            log.debug("cloudtalk call already recorded", ["key": key])
        }
        return .done
    }

    /// The row of a call recorded under its uuid, or under its call id when one of the two
    /// deliveries had no uuid (two different uuids are two calls, whatever their call ids say).
    static func existing(_ payload: CallPayload, in db: any SQLConnection) throws -> Int64? {
        if let uuid = payload.callUUID, let row = try db.queryOne(CallSQL.findByUUID, uuid) { return try row.int("id") }
        guard let callID = payload.callID, let row = try db.queryOne(CallSQL.findByCallID, callID) else { return nil }
        let knownUUID = try row.optionalString("call_uuid")
        guard payload.callUUID == nil || knownUUID == nil else { return nil }
        return try row.int("id")
    }

    /// The kernel's normaliser on a JSON integer or text; nil (with a warning) when it is no phone.
    private func normalize(_ value: JSONDocument?, member: String, key: String) -> PhoneNumber? {
        do {
            switch value {
            case .integer(let number)?: return try phones.normalize(number)
            case let other?:
                guard let text = LenientValue.text(other) else { return nil }
                return try phones.normalize(text)
            case nil: return nil
            }
        } catch {
            log.warning("cloudtalk number is not a phone number", ["member": member, "reason": "\(error)", "key": key])
            return nil
        }
    }
}
