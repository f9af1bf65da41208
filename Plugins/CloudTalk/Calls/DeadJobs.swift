import PluginAPI

/// Settles a call whose enrichment or follow-up job died (the kernel's `job.dead`): a job's
/// own failure handling does not run when its worker crashed or hung on the last attempt, and
/// the call would otherwise stay undecided, or its follow-up `scheduled`, for good.
struct DeadJobs: Sendable {
    let enricher: CallEnricher?
    let sender: FollowUpSender?

    func handle(_ event: Event) async throws -> JobOutcome {
        let death = try JobPayloadReader(event.payload)
        guard let name = death.string("name"), name == CallEnricher.jobName || name == FollowUpSender.jobName,
              let call = try? JobPayloadReader(death.string("payload") ?? "").int("call") else { return .done }
        let error = death.string("error") ?? "unknown error"
        if name == CallEnricher.jobName {
            try await enricher?.jobDied(call: call, error: error)
        } else {
            try await sender?.jobDied(call: call, error: error)
        }
        return .done
    }
}
