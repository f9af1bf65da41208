import PluginAPI

/// A job that died: its last attempt failed, it failed for good, it had no handler, or its
/// lease expired on the last attempt (the worker crashed or hung).
struct DeadJob: Sendable, Equatable {
    var id: Int64
    var name: String
    var queue: String
    var payload: String
    var attempt: Int
    var error: String
}

extension DeadJob {
    /// A row of `JobSQL.rescueDead`'s `RETURNING`.
    init(row: Row) throws {
        self.init(id: try row.int("id"), name: try row.string("name"), queue: try row.string("queue"),
                  payload: try row.string("payload"), attempt: Int(try row.int("attempt")),
                  error: try row.optionalString("last_error") ?? "")
    }
}

/// Publishes the kernel event `job.dead` when a job dies, in the transaction that marks it
/// dead, so a plugin can settle what the job left undone (a handler's own last-attempt code
/// does not run when the lease expired). Payload: `{"job_id", "name", "queue", "payload"
/// (the job's payload, as text), "attempt", "error"}`.
///
/// A delivery of `job.dead` that dies itself announces nothing: a subscriber that keeps
/// failing must not feed itself.
///
/// A channel's send job that died also fails its message (`message.failed`), unless the
/// message was sent or failed already: its handler records that only when it gets to run.
struct JobDeaths: Sendable {
    static let event = "job.dead"
    let bus: any EventBus
    /// Send job name → its channel.
    let sendJobs: [String: String]
    let clock: any TimeSource

    init(registry: JobRegistry, clock: any TimeSource) {
        bus = KernelEventBus(registry: registry, jobs: KernelJobQueue(registry: registry, clock: clock), clock: clock)
        sendJobs = Dictionary(registry.channels.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
        self.clock = clock
    }

    func announce(_ job: DeadJob, in db: any SQLConnection) throws {
        if let channel = sendJobs[job.name] {
            try ChannelSendJob.jobDied(job, channel: channel, at: clock.nowMillis, events: bus, in: db)
        }
        guard !job.name.contains(".on.\(Self.event)#") else { return }
        let payload = JSONDocument.object([
            "job_id": .integer(job.id), "name": .string(job.name), "queue": .string(job.queue),
            "payload": .string(job.payload), "attempt": .integer(Int64(job.attempt)), "error": .string(job.error),
        ])
        try bus.publish(Self.event, payload: try JSONText.string(payload), in: db)
    }
}
