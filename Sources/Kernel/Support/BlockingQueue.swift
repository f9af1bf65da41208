/// A FIFO of work for the storage threads (SQLite's writer and readers, PostgreSQL's pool):
/// any thread adds, worker threads block on a condition variable until there is something to
/// take. `close()` refuses new work but lets the threads drain what is queued, then `take`
/// returns nil and they exit; `closeDiscarding()` hands back what no thread took instead.
final class BlockingQueue<Job: Sendable>: @unchecked Sendable {
    // Everything below is guarded by `condition`'s lock.
    private let condition = ThreadCondition()
    private var jobs: [Job] = []
    /// Index of the oldest job: taking from the front moves it instead of shifting the array.
    private var head = 0
    private var closed = false
    /// Jobs taken before any in `jobs` (see `submit(_:urgent:)`).
    private var urgent: [Job] = []

    /// Queues a job and wakes one waiting thread; false (and nothing queued) once closed. An
    /// `urgent` job is taken before every job that is not (in order among the urgent ones): a
    /// request waiting for its acknowledgement goes ahead of background work.
    func submit(_ job: Job, urgent: Bool = false) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        if urgent { self.urgent.append(job) } else { jobs.append(job) }
        condition.signal()
        return true
    }

    /// Blocks until work is queued, then takes up to `limit` of the oldest jobs: everything
    /// queued at that moment when the limit allows (what group commit batches). Returns nil
    /// when the queue is closed and empty.
    func take(upTo limit: Int) -> [Job]? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count && urgent.isEmpty && !closed { condition.wait() }
        if !urgent.isEmpty {
            let taken = Array(urgent.prefix(max(limit, 1)))
            urgent.removeFirst(taken.count)
            return taken
        }
        guard head < jobs.count else { return nil }
        let end = min(jobs.count, head + max(limit, 1))
        let taken = Array(jobs[head..<end])
        head = end
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 && head * 2 > jobs.count {
            // A long-lived backlog: drop the consumed prefix now and then, not on every take.
            jobs.removeFirst(head)
            head = 0
        }
        return taken
    }

    /// Jobs queued and not yet taken.
    var pending: Int {
        condition.lock()
        defer { condition.unlock() }
        return urgent.count + jobs.count - head
    }

    /// Refuses new work from now on and wakes every waiting thread so they can drain and exit.
    func close() {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        condition.broadcast()
    }

    /// Refuses new work, wakes every waiting thread, and returns the jobs no thread took
    /// (the caller fails them), so the threads exit without running them.
    func closeDiscarding() -> [Job] {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        let pending = urgent + Array(jobs[head...])
        urgent.removeAll()
        jobs.removeAll()
        head = 0
        condition.broadcast()
        return pending
    }
}
