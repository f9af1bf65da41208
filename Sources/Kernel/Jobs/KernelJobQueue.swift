import PluginAPI

/// Inserts jobs inside the caller's transaction. On PostgreSQL a `NOTIFY` in the same
/// transaction wakes the workers of every instance at commit.
struct KernelJobQueue: JobQueue {
    let registry: JobRegistry
    let clock: any TimeSource

    static let insert = """
    INSERT INTO switchboard_jobs (name, queue, payload, status, attempt, max_attempts, run_at, unique_key, created_at)
    VALUES ($1, $2, $3, 'available', 0, $4, $5, $6, $7)
    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND status IN ('available', 'running') DO NOTHING
    """

    func enqueue(_ job: JobRequest, in connection: any SQLConnection) throws {
        _ = try enqueueReturningID(job, in: connection)
    }

    static let insertReturningID = insert + "\nRETURNING id"

    /// Enqueues and returns the new job's id, or nil when a job with its unique key already
    /// waits or runs.
    func enqueueReturningID(_ job: JobRequest, in connection: any SQLConnection) throws -> Int64? {
        guard let kind = registry.kinds[job.name] else { throw JobError("no job named \(job.name) is registered") }
        let now = clock.nowMillis
        let rows = try connection.query(Self.insertReturningID, [.text(kind.name), .text(kind.queue), .text(job.payload), .integer(Int64(kind.maxAttempts)),
                                                                 .integer(job.runAt ?? now), job.uniqueKey.map(SQLValue.text) ?? .null, .integer(now)])
        if connection.dialect == .postgres {
            try connection.execute("SELECT pg_notify('switchboard_jobs', $1)", [.text(kind.queue)])
        }
        return try rows.first?.int("id")
    }
}

/// Writes the event and one delivery job per subscription, in the publisher's transaction.
struct KernelEventBus: EventBus {
    let registry: JobRegistry
    let jobs: KernelJobQueue
    let clock: any TimeSource

    func publish(_ name: String, payload: String, in connection: any SQLConnection) throws {
        let rows = try connection.query("INSERT INTO switchboard_events (name, payload, published_at) VALUES ($1, $2, $3) RETURNING id",
                                        [.text(name), .text(payload), .integer(clock.nowMillis)])
        guard let id = try rows.first?.int("id") else { throw StorageError(.other, "event insert returned no id") }
        for delivery in registry.subscriptions[name] ?? [] {
            try jobs.enqueue(JobRequest(name: delivery, payload: "{\"event_id\":\(id)}"), in: connection)
        }
    }
}
