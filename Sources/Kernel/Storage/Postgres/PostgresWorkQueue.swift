import PluginAPI

/// Work for a pool thread: `run` on whichever thread takes it, or `cancel` when the store
/// closes first. Exactly one of the two is called.
struct PostgresJob: Sendable {
    let run: @Sendable (PostgresSession) -> Void
    let cancel: @Sendable (StorageError) -> Void
}

/// The FIFO the pool threads take jobs from: any free thread takes the oldest job, so one
/// slow body does not hold up the others.
struct PostgresWorkQueue: Sendable {
    private let queue = BlockingQueue<PostgresJob>()

    /// Queues `job` (ahead of the others when `urgent`); false when the queue is closed (the job
    /// is not run).
    func push(_ job: PostgresJob, urgent: Bool = false) -> Bool { queue.submit(job, urgent: urgent) }

    /// The next job, blocking until there is one; nil once the queue is closed.
    func next() -> PostgresJob? { queue.take(upTo: 1)?.first }

    /// Closes the queue and returns the jobs no thread took; the caller cancels them.
    func close() -> [PostgresJob] { queue.closeDiscarding() }
}
