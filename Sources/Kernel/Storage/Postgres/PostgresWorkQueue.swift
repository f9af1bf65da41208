import PluginAPI

/// Work for a pool thread: `run` on whichever thread takes it, or `cancel` when the store
/// closes first. Exactly one of the two is called.
struct PostgresJob: Sendable {
    let run: @Sendable (PostgresSession) -> Void
    let cancel: @Sendable (StorageError) -> Void
}

/// The FIFO the pool threads take jobs from: any free thread takes the oldest job, so one
/// slow body does not hold up the others.
final class PostgresWorkQueue: @unchecked Sendable {
    // All state below is guarded by `condition` (hence @unchecked Sendable).
    private let condition = ThreadCondition()
    private var jobs: [PostgresJob] = []
    private var head = 0
    private var closed = false

    /// Queues `job`; false when the queue is closed (the job is not run).
    func push(_ job: PostgresJob) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// The next job, blocking until there is one; nil once the queue is closed.
    func next() -> PostgresJob? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count && !closed { condition.wait() }
        guard head < jobs.count else { return nil }
        let job = jobs[head]
        head += 1
        // Reclaim the consumed prefix now and then rather than shifting on every take.
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }

    /// Closes the queue and returns the jobs no thread took; the caller cancels them.
    func close() -> [PostgresJob] {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        let pending = Array(jobs[head...])
        jobs.removeAll()
        head = 0
        condition.broadcast()
        return pending
    }
}
