import PluginAPI

/// The `cloudtalk.enrich` job, on the `cloudtalk.api` queue (60 starts a minute across
/// instances): asks CloudTalk for a call the webhook described incompletely, stores what the
/// API says (authoritative for status, direction, durations and tags; numbers and names only
/// where the webhook had none), then lets the rule decide. When the API cannot answer (keys
/// refused, no such call, or the last attempt), the rule decides on the webhook alone.
struct CallEnricher: Sendable {
    static let jobName = "cloudtalk.enrich"
    static let queue = "cloudtalk.api"
    static let options = JobOptions(queue: queue, maxAttempts: 6, timeout: .seconds(30))

    let client: CloudTalkClient
    let store: any Store
    let phones: any Phones
    let scheduler: FollowUpScheduler
    let log: any Logger
    let metrics: any MetricsRecorder
    let clock: any TimeSource

    func run(_ job: JobContext) async throws -> JobOutcome {
        let id = try JobPayloadReader(job.payload).int("call")
        guard let call = try await store.read({ try CallRecord.load(id, in: $0) }), call.enrichment == "pending" else { return .done }
        guard let callID = call.callID else { return try await give(up: call, "the call has no call_id") }
        let details: CallDetails
        do {
            details = try await client.call(id: callID)
        } catch let error as any RetryAdvising where error.isRetryable && job.attempt < job.maxAttempts {
            if let error = error as? CloudTalkAPIError, error.httpStatus == 429 { metrics.increment("api_rate_limited") }
            throw error
        } catch {
            if let error = error as? CloudTalkAPIError, error.httpStatus == 401 || error.httpStatus == 403 {
                log.error("cloudtalk refused the api key pair: check plugins.cloudtalk.config.api_key_id and api_key_secret",
                          ["status": "\(error.httpStatus)"])
                metrics.increment("api_auth_errors")
            }
            return try await give(up: call, "\(error)")
        }
        try await apply(details, to: call)
        metrics.increment("calls_enriched")
        return .done
    }

    /// The job for `call` died without deciding it (its worker crashed or hung on the last
    /// attempt, so `run` never reached `give(up:)`): the rule decides on the webhook alone.
    func jobDied(call id: Int64, error: String) async throws {
        guard let call = try await store.read({ try CallRecord.load(id, in: $0) }), call.enrichment == "pending" else { return }
        _ = try await give(up: call, "the enrichment job died: \(error)")
    }

    private func apply(_ details: CallDetails, to call: CallRecord) async throws {
        var fields = call.fields
        for (key, value) in details.fields where fields[key] == nil || Self.authoritative.contains(key) { fields[key] = value }
        let external = call.externalNumber ?? normalize(details.contactNumber)
        let internalNumber = call.internalNumber ?? normalize(details.internalNumber)
        if let external { fields["external_number"] = external }
        if let internalNumber { fields["internal_number"] = internalNumber }
        let tags = details.tags.isEmpty ? call.tags : details.tags
        let fieldsJSON = (try? JSONText.string(fields)) ?? "{}"
        let now = clock.nowMillis
        let scheduler = self.scheduler
        let talkingTime = details.talkingTime ?? call.talkingTime
        try await store.write { db in
            try db.execute(CallSQL.enrich, call.id, details.direction ?? call.direction, external, internalNumber,
                           call.agentID ?? details.agentID, details.agentName ?? call.agentName, details.status ?? call.status,
                           talkingTime, details.waitingTime, details.wrapupTime, tags.joined(separator: ", "), fieldsJSON, "done", now)
            try scheduler.decide(call: call.id, in: db)
        }
    }

    /// Fields the API knows better than a template.
    static let authoritative: Set<String> = ["status", "direction", "talking_time", "waiting_time", "wrapup_time", "tags"]

    private func give(up call: CallRecord, _ reason: String) async throws -> JobOutcome {
        log.warning("cloudtalk call not enriched: deciding on the webhook alone", ["call": "\(call.id)", "reason": reason])
        let now = clock.nowMillis
        let scheduler = self.scheduler
        try await store.write { db in
            try db.execute(CallSQL.setEnrichment, call.id, "failed", now)
            try scheduler.decide(call: call.id, in: db)
        }
        return .done
    }

    private func normalize(_ value: JSONDocument?) -> String? {
        switch value {
        case .integer(let number)?: return try? phones.normalize(number).e164
        case let other?: return LenientValue.text(other).flatMap { try? phones.normalize($0).e164 }
        case nil: return nil
        }
    }
}
