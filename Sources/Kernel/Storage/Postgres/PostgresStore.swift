import Dispatch
import PluginAPI
import Synchronization

/// The PostgreSQL `Store`: a pool of libpq connections, each owned by a dedicated thread.
///
/// libpq calls block, so they never run on the caller's thread (callers may be event
/// loops): `read` and `write` queue the body for the next free pool thread and suspend
/// until it has run. Each body runs in its own transaction on one connection.
///
/// Failures of the server are `.unavailable` and recover by themselves: a broken connection
/// is dropped and replaced on the next call (an idle one that died is replaced before the
/// body runs, invisibly); while the server is down, connection attempts are spaced 100 ms,
/// 200 ms, … up to 5 s apart and calls in between fail at once, so no call waits longer than
/// `connect_timeout` (2 s).
///
/// A body that has been queued runs even if the calling task is cancelled meanwhile: a
/// write either happens or fails, it is never abandoned halfway.
///
/// `listen` and `notify` give LISTEN/NOTIFY (see `PostgresStore+Notifications.swift`).
public final class PostgresStore: Store, Sendable {
    public let dialect: SQLDialect = .postgres
    let url: PostgresURL
    private let queue = PostgresWorkQueue()
    private let backoff = PostgresBackoff()
    /// Entered by every thread the store starts (pool and listener); `close` waits on it.
    private let finished = DispatchGroup()
    private let listenerSlot = Mutex<PostgresListener?>(nil)
    private let closed = Atomic<Bool>(false)

    /// Connects to `url` (`postgres://user:pass@host:port/db?sslmode=…`) with `poolSize`
    /// connections. One connection is opened before returning, so a wrong URL or a server
    /// that is down is reported here: `StorageError(.unavailable, "cannot connect to
    /// postgres://user:***@host:port/db: <reason>")`, with the password masked. The other
    /// connections open on first use.
    ///
    /// Three connections by default. On a two-core host a fourth made ingest slower, not
    /// faster: with the inbox's batches on two of them, more connections only let more
    /// background transactions compete for the same cores (signed webhooks acknowledged with
    /// wrk -c64: 5,100–6,200/s with four, 7,100–7,900/s with three, three interleaved pairs;
    /// the backlog drained at the same rate).
    public init(url: String, poolSize: Int = 3) async throws {
        self.url = try PostgresURL(url)
        do {
            for index in 0..<max(1, poolSize) { try startPoolThread(index: index) }
            try await submit { session in try session.connect() }
        } catch {
            await close()
            throw error
        }
    }

    deinit {
        // Not closed: let the threads end on their own (they hold no reference to the store).
        for job in queue.close() { job.cancel(StorageError(.unavailable, "postgres store was released")) }
        listenerSlot.withLock { $0?.stop() }
    }

    // MARK: - Store

    /// Runs `body` read-only: each statement in its own implicit transaction, which the pool's
    /// sessions make read-only (`default_transaction_read_only`), so a write in it fails. No
    /// `BEGIN` and `COMMIT` round trips; at READ COMMITTED a transaction block would give each
    /// statement its own snapshot all the same.
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await submit { session in try session.transaction(readOnly: true, body) }
    }

    /// Runs `body` in a transaction: `BEGIN READ WRITE` … `COMMIT`, or `ROLLBACK` and the body's error
    /// when it throws. A NOTIFY sent inside is delivered at commit, and not at all on rollback.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await submit { session in try session.transaction(readOnly: false, body) }
    }

    /// `write`, queued ahead of every call that is not urgent: for a write that a waiting
    /// request's answer depends on (the inbox's batches), so background work queued before it
    /// (jobs claiming, completing) does not hold the acknowledgement up.
    func urgentWrite<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await submit(urgent: true) { session in try session.transaction(readOnly: false, body) }
    }

    /// Stops the pool and the listener and closes their connections. Bodies already running
    /// finish; queued ones fail with `.unavailable`, as does every later call. Returns when
    /// every thread of the store has ended.
    public func close() async {
        closed.store(true, ordering: .relaxed)
        for job in queue.close() { job.cancel(StorageError(.unavailable, "postgres store is closed")) }
        listenerSlot.withLock { $0?.stop() }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            finished.notify(queue: .global()) { done.resume() }
        }
    }

    // MARK: - threads

    /// Queues `work` for a pool thread and suspends until it ran there.
    private func submit<T: Sendable>(urgent: Bool = false, _ work: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = PostgresJob(
                run: { session in continuation.resume(with: Result { try work(session) }) },
                cancel: { error in continuation.resume(throwing: error) }
            )
            if !queue.push(job, urgent: urgent) { continuation.resume(throwing: StorageError(.unavailable, "postgres store is closed")) }
        }
    }

    private func startPoolThread(index: Int) throws(StorageError) {
        let (queue, url, backoff) = (self.queue, self.url, self.backoff)
        finished.enter()
        do throws(KernelThread.StartError) {
            // Bodies are plugin code (JSON decoding and the like), not just libpq calls: 2 MiB of stack.
            try KernelThread.spawn(name: "sb-pg-\(index)", stackSize: 1 << 21) { [finished] in
                let session = PostgresSession(url: url, backoff: backoff)
                while let job = queue.next() { job.run(session) }
                session.close()
                finished.leave()
            }
        } catch {
            finished.leave()
            throw StorageError(.other, "\(error)")
        }
    }

    /// The listener, started on first use. Throws `.unavailable` once the store is closed.
    func listener() throws(StorageError) -> PostgresListener {
        try listenerSlot.withLock { (slot) throws(StorageError) -> PostgresListener in
            if let slot { return slot }
            guard !closed.load(ordering: .relaxed) else { throw StorageError(.unavailable, "postgres store is closed") }
            let listener = try PostgresListener(url: url)
            finished.enter()
            do throws(StorageError) {
                try listener.start { [finished] in finished.leave() }
            } catch {
                finished.leave()
                throw error
            }
            slot = listener
            return listener
        }
    }
}
