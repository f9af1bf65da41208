import FoundationEssentials
import Glibc
import PluginAPI
import Synchronization

/// Claims and runs durable jobs: a pool of workers, leases, a rescuer for expired leases,
/// per-queue rate limits kept in storage, periodic jobs claimed once per slot, and pruning.
/// At-least-once: a job may run again after a crash, so handlers are idempotent.
final class JobEngine: Sendable {
    struct Settings: Sendable {
        var workers = 8
        /// How long to sleep when nothing is due and no nudge comes.
        var pollInterval: ConfigDuration = ConfigDuration(milliseconds: 500)
        var rescueInterval: ConfigDuration = .seconds(5)
        var jobRetention: ConfigDuration = .seconds(7 * 86_400)
        var inboxRetention: ConfigDuration = .seconds(30 * 86_400)
        var pruneInterval: ConfigDuration = .seconds(3600)
    }

    private struct State {
        var running = 0
        var stopping = false
        var nudged = false
        var waiter: CheckedContinuation<Void, Never>?
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var lastRescue: Int64 = 0
        var lastPrune: Int64 = 0
    }

    let store: any Store
    let registry: JobRegistry
    let clock: any TimeSource
    let log: any PluginAPI.Logger
    let settings: Settings
    let instanceID: String
    /// Told after every pass whether storage answered (feeds `/readyz`).
    let onStorageHealth: (@Sendable (Bool) -> Void)?
    /// Publishes `job.dead`; built once, not per recorded outcome.
    private let deaths: JobDeaths
    private let state = Mutex(State())
    private let loopTask = Mutex<Task<Void, Never>?>(nil)

    init(store: any Store, registry: JobRegistry, clock: any TimeSource, log: any PluginAPI.Logger, settings: Settings = Settings(),
         onStorageHealth: (@Sendable (Bool) -> Void)? = nil) {
        self.onStorageHealth = onStorageHealth
        self.store = store
        self.registry = registry
        self.clock = clock
        self.log = log
        self.settings = settings
        deaths = JobDeaths(registry: registry, clock: clock)
        instanceID = "\(ProcessInfo.processInfo.hostName.prefix(40))-\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
    }

    // MARK: - lifecycle

    /// Starts the claiming loop in the background.
    func start() {
        let task = Task.detached { [self] in await self.loop() }
        loopTask.withLock { $0 = task }
    }

    /// Stops claiming and waits (up to `grace`) for running jobs to finish. Jobs still running
    /// then keep their lease and are rescued later (at-least-once).
    func stop(grace: ConfigDuration) async {
        state.withLock { $0.stopping = true }
        nudge()
        await loopTask.withLock { $0 }?.value
        let deadline = Date().addingTimeInterval(grace.seconds)
        while state.withLock({ $0.running }) > 0 && Date() < deadline {
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    /// Something may be due: claim now rather than at the next poll.
    func nudge() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.nudged = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    private func loop() async {
        while !state.withLock({ $0.stopping }) {
            var claimed = 0
            do {
                try await maintenance()
                claimed = try await claimAndStart()
                onStorageHealth?(true)
            } catch {
                if let storage = error as? StorageError, storage.kind == .unavailable { onStorageHealth?(false) }
                log.warning("job engine pass failed", ["error": "\(error)"])
            }
            if claimed == 0 { await waitForWork() }
        }
    }

    private func waitForWork() async {
        let interval = UInt64(settings.pollInterval.milliseconds) * 1_000_000
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { s -> Bool in
                        if s.nudged || s.stopping { s.nudged = false; return true }
                        s.waiter = c
                        return false
                    }
                    if resumeNow { c.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(nanoseconds: interval)
            }
            await group.next()
            // Whichever finished first, release the other.
            nudgeWaiterOnly()
            group.cancelAll()
        }
        state.withLock { $0.nudged = false }
    }

    private func nudgeWaiterOnly() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    // MARK: - claiming and running

    struct Claimed: Sendable {
        var id: Int64
        var name: String
        var queue: String
        var payload: String
        var attempt: Int
        var maxAttempts: Int
    }

    /// Claims as many due jobs as there are free workers and starts them. Returns how many.
    @discardableResult
    func claimAndStart() async throws -> Int {
        let free = state.withLock { $0.stopping ? 0 : settings.workers - $0.running }
        guard free > 0 else { return 0 }
        let jobs = try await claim(limit: free)
        for job in jobs {
            state.withLock { $0.running += 1 }
            Task.detached { [self] in
                await self.run(job)
                let idle = self.state.withLock { s -> [CheckedContinuation<Void, Never>] in
                    s.running -= 1
                    guard s.running == 0 else { return [] }
                    defer { s.idleWaiters = [] }
                    return s.idleWaiters
                }
                for w in idle { w.resume() }
                self.nudge()
            }
        }
        return jobs.count
    }

    /// Claims due jobs in one transaction, applying rate limits: a job whose queue is at its
    /// limit is snoozed (its attempt given back) until a start is allowed.
    func claim(limit: Int) async throws -> [Claimed] {
        let now = clock.nowMillis
        let dialect = store.dialect
        let worker = instanceID
        let registry = self.registry
        let defaultLease = Int64(60_000)
        return try await store.write { db in
            let sql = dialect == .postgres ? JobSQL.claimPostgres : JobSQL.claimSQLite
            let rows = try db.query(sql, [.integer(now), .text(worker), .integer(Int64(limit)), .integer(defaultLease)])
            var claimed: [Claimed] = []
            for row in rows {
                let job = Claimed(id: try row.int("id"), name: try row.string("name"), queue: try row.string("queue"),
                                  payload: try row.string("payload"), attempt: Int(try row.int("attempt")), maxAttempts: Int(try row.int("max_attempts")))
                if let kind = registry.kinds[job.name], kind.timeout.milliseconds != defaultLease {
                    try db.execute("UPDATE switchboard_jobs SET lease_until = $2 WHERE id = $1", [.integer(job.id), .integer(now + kind.timeout.milliseconds)])
                }
                if let limit = registry.rateLimits[job.queue],
                   let allowedAt = try Self.rateLimitDenies(queue: job.queue, limit: limit, now: now, dialect: dialect, db: db) {
                    try db.execute(JobSQL.snooze, [.integer(job.id), .integer(allowedAt)])
                    continue
                }
                claimed.append(job)
            }
            return claimed
        }
    }

    /// Sliding-window log: at most `limit.count` starts in any window of `limit.window`. Returns
    /// nil and records a start when allowed; otherwise the time a start will be allowed.
    static func rateLimitDenies(queue: String, limit: RateLimit, now: Int64, dialect: SQLDialect, db: any SQLConnection) throws -> Int64? {
        try db.execute(dialect == .postgres ? JobSQL.lockQueuePostgres : JobSQL.lockQueueSQLite, [.text(queue), .integer(now)])
        let windowStart = now - limit.window.milliseconds
        // Starts are kept a minute past their window, so the limiter's own record of what it
        // allowed can be inspected (and tested) after the fact; the table stays small.
        try db.execute(JobSQL.pruneStarts, [.text(queue), .integer(windowStart - 60_000)])
        let starts = try db.query(JobSQL.startsInWindow, [.text(queue), .integer(windowStart)]).map { try $0.int("started_at") }
        if starts.count < limit.count {
            try db.execute(JobSQL.recordStart, [.text(queue), .integer(now)])
            return nil
        }
        // The oldest start that must leave the window before another start fits.
        return starts[starts.count - limit.count] + limit.window.milliseconds + 1
    }

    /// Runs one claimed job and records its outcome.
    func run(_ job: Claimed) async {
        guard let kind = registry.kinds[job.name] else {
            await record(job, .dead(error: "no handler registered for \(job.name) (plugin disabled?)"))
            return
        }
        let completed = CompletedFlag()
        let clock = self.clock
        let context = JobContext(id: job.id, name: job.name, payload: job.payload, attempt: job.attempt, maxAttempts: job.maxAttempts) { db in
            try db.execute(JobSQL.complete, [.integer(job.id), .integer(clock.nowMillis)])
            completed.set()
        }
        let result: Result<JobOutcome, any Error> = await Self.withTimeout(kind.timeout) {
            try await kind.handler(context)
        }
        switch result {
        case .success(.done) where completed.isSet:
            // Completed in the handler's transaction (`JobContext.complete(in:)`). Had that
            // transaction rolled back, the handler would have thrown; one that caught the error
            // and returned `.done` leaves the job running until its lease expires and the
            // rescuer returns it (at-least-once still holds).
            break
        case .success(.done):
            await record(job, .done)
        case .success(.snooze(let seconds)):
            await record(job, .snooze(until: clock.nowMillis + Int64(max(0, seconds) * 1000)))
        case .success(.cancel(let reason)):
            await record(job, .cancel(reason: reason))
        case .failure(let error):
            let message = String("\(error)".prefix(2000))
            let advice = error as? any RetryAdvising
            if job.attempt >= job.maxAttempts || advice?.isRetryable == false {
                log.warning("job dead", ["job": job.name, "id": "\(job.id)", "attempt": "\(job.attempt)", "error": message])
                await record(job, .dead(error: message))
            } else {
                let delay = Self.backoff(attempt: job.attempt, retryAfter: advice?.retryAfter)
                log.info("job failed, will retry", ["job": job.name, "id": "\(job.id)", "attempt": "\(job.attempt)", "in_ms": "\(delay)", "error": message])
                await record(job, .retry(at: clock.nowMillis + delay, error: message))
            }
        }
    }

    enum Record {
        case done
        case retry(at: Int64, error: String)
        case dead(error: String)
        case snooze(until: Int64)
        case cancel(reason: String)
    }

    private func record(_ job: Claimed, _ outcome: Record) async {
        let now = clock.nowMillis
        let deaths = self.deaths
        do {
            try await store.write { db in
                switch outcome {
                case .done: try db.execute(JobSQL.complete, [.integer(job.id), .integer(now)])
                case .retry(let at, let error): try db.execute(JobSQL.retry, [.integer(job.id), .integer(at), .text(error)])
                case .dead(let error):
                    if try db.execute(JobSQL.dead, [.integer(job.id), .integer(now), .text(error)]) == 1 {
                        try deaths.announce(DeadJob(id: job.id, name: job.name, queue: job.queue, payload: job.payload,
                                                    attempt: job.attempt, error: error), in: db)
                    }
                case .snooze(let until): try db.execute(JobSQL.snooze, [.integer(job.id), .integer(until)])
                case .cancel(let reason): try db.execute(JobSQL.cancel, [.integer(job.id), .integer(now), .text(reason)])
                }
            }
        } catch {
            // The lease will expire and the rescuer will return the job: at-least-once holds.
            log.error("could not record a job outcome", ["job": job.name, "id": "\(job.id)", "error": "\(error)"])
        }
    }

    /// Exponential backoff with ±20 % jitter: 1 s, 2 s, 4 s … capped at 1 h; a provider's
    /// `Retry-After` wins when it is longer.
    static func backoff(attempt: Int, retryAfter: ConfigDuration?) -> Int64 {
        let base = min(3_600_000.0, 1000.0 * pow(2.0, Double(max(0, attempt - 1))))
        let jittered = Int64(base * Double.random(in: 0.8...1.2))
        return max(jittered, retryAfter?.milliseconds ?? 0)
    }

    static func withTimeout<T: Sendable>(_ timeout: ConfigDuration, _ body: @escaping @Sendable () async throws -> T) async -> Result<T, any Error> {
        await withTaskGroup(of: Result<T, any Error>?.self) { group in
            group.addTask {
                do { return .success(try await body()) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(max(1, timeout.milliseconds)) * 1_000_000)
                return Task.isCancelled ? nil : .failure(JobError("timed out after \(timeout)"))
            }
            var result: Result<T, any Error> = .failure(JobError("no result"))
            if let first = await group.next(), let value = first { result = value }
            group.cancelAll()
            return result
        }
    }

    // MARK: - maintenance

    /// Rescues expired leases, claims periodic slots and prunes, each at its own interval.
    func maintenance() async throws {
        let now = clock.nowMillis
        let (rescueDue, pruneDue) = state.withLock { s -> (Bool, Bool) in
            let rescue = now - s.lastRescue >= settings.rescueInterval.milliseconds
            let prune = now - s.lastPrune >= settings.pruneInterval.milliseconds
            if rescue { s.lastRescue = now }
            if prune { s.lastPrune = now }
            return (rescue, prune)
        }
        if rescueDue { try await rescue(now: now) }
        try await enqueuePeriodic(now: now)
        if pruneDue { try await prune(now: now) }
    }

    /// Returns jobs whose lease expired. Returns how many were rescued.
    @discardableResult
    func rescue(now: Int64) async throws -> Int {
        let deaths = self.deaths
        return try await store.write { db in
            let dead = try db.query(JobSQL.rescueDead, [.integer(now)])
            for row in dead { try deaths.announce(try DeadJob(row: row), in: db) }
            return dead.count + (try db.execute(JobSQL.rescue, [.integer(now)]))
        }
    }

    /// For each periodic job, claims the current slot; the instance that wins enqueues it.
    func enqueuePeriodic(now: Int64) async throws {
        guard !registry.periodic.isEmpty else { return }
        let registry = self.registry
        let queue = KernelJobQueue(registry: registry, clock: clock)
        try await store.write { db in
            for p in registry.periodic {
                let slot = now / p.interval.milliseconds
                if try !db.query(JobSQL.claimSlot, [.text(p.job), .integer(slot)]).isEmpty {
                    try queue.enqueue(JobRequest(name: p.job, payload: "{\"slot\":\(slot)}", uniqueKey: "periodic:\(p.job):\(slot)"), in: db)
                }
            }
        }
    }

    /// Deletes finished jobs and old inbox items past their retention.
    func prune(now: Int64) async throws {
        let jobsBefore = now - settings.jobRetention.milliseconds
        let inboxBefore = now - settings.inboxRetention.milliseconds
        try await store.write { db in
            try db.execute(JobSQL.pruneJobs, [.integer(jobsBefore)])
            try db.execute(JobSQL.pruneInbox, [.integer(inboxBefore)])
            try db.execute(JobSQL.pruneRejections, [.integer(inboxBefore)])
            try db.execute(JobSQL.pruneEvents, [.integer(jobsBefore)])
        }
    }

    /// Runs every job that is due now, repeatedly, until none is left (tests, `PluginTesting`).
    /// Returns how many ran.
    func runDueJobs(maxRounds: Int = 1000) async throws -> Int {
        var total = 0
        for _ in 0..<maxRounds {
            try await maintenance()
            let jobs = try await claim(limit: settings.workers)
            if jobs.isEmpty { break }
            await withTaskGroup(of: Void.self) { group in
                for job in jobs { group.addTask { await self.run(job) } }
            }
            total += jobs.count
        }
        return total
    }
}
