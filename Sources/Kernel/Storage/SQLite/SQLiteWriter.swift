import Dispatch
import PluginAPI
import Synchronization

/// The store's single writer: one thread, one read-write connection, and group commit.
///
/// Each time the thread wakes it takes every write queued at that moment (up to
/// `batchLimit`) and runs them in ONE `BEGIN IMMEDIATE … COMMIT`, each body inside its own
/// `SAVEPOINT`: a body that throws is rolled back to its savepoint and gets its error while
/// the others go on, and the whole batch costs one WAL sync. Results are handed out only
/// after the COMMIT succeeded, so an acknowledged write is durable; if the COMMIT fails,
/// every body of the batch gets that error.
final class SQLiteWriter: Sendable {
    /// A unit of work for the writer thread.
    enum Job: Sendable {
        /// A `Store.write` body: runs in the batch's transaction, in its own savepoint.
        case body(Body)
        /// Maintenance (a checkpoint) that must run outside any transaction.
        case exclusive(@Sendable (SQLiteConnection) -> Void)
    }

    /// A type-erased write body and the way back to its caller.
    struct Body: Sendable {
        /// Runs the body on the writer's connection; returns what hands its result to the
        /// caller, called only once the batch is committed.
        let run: @Sendable (SQLiteConnection) throws -> @Sendable () -> Void
        /// Hands an error to the caller.
        let fail: @Sendable (any Error) -> Void
    }

    /// Most bodies in one transaction: bounds how long the first waits for the last.
    static let batchLimit = 256

    private let queue = BlockingQueue<Job>()
    private let counters = Mutex(Counters())
    /// Left by the writer thread when it has drained the queue and closed its connection.
    let exits = DispatchGroup()

    /// What `stats` reports; updated by the writer thread before it hands out results.
    struct Counters {
        var commits = 0
        var committedBodies = 0
        var failedBodies = 0
        var largestBatch = 0
        var walFrames = 0
        /// The WAL's size after the last commit, to count what each commit appended.
        var walPages: Int32 = 0
    }

    /// Opens the read-write connection (creating the database) on a new thread and starts
    /// taking work. Blocks until the open has succeeded, or throws its failure.
    ///
    /// Once closed and drained, the thread waits for `closesAfter` (the readers' exits)
    /// before closing its connection: the last connection to close checkpoints the WAL and
    /// removes it, which only a read-write connection can do.
    ///
    /// `onCommit` gets the WAL's size after each commit (it replaces SQLite's automatic checkpoint).
    /// Once the WAL has reached `presizeAt.pages`, the writer grows the file to
    /// `presizeAt.frames` frames (`SQLiteWALPresizer`): a store written that much goes on.
    init(path: String, closesAfter: DispatchGroup, presizeAt: (pages: Int32, frames: Int32)? = nil,
         onCommit: @escaping @Sendable (Int32) -> Void) throws(StorageError) {
        try SQLiteThread.start(
            name: "sqlite-writer",
            exits: exits,
            open: { [self] () throws(StorageError) in
                let connection = try SQLiteConnection(path: path, readOnly: false)
                try connection.onCommit { [self] pages in
                    counters.withLock { c in
                        // A smaller WAL than before was restarted from its start by this commit.
                        c.walFrames += Int(pages >= c.walPages ? pages - c.walPages : pages)
                        c.walPages = pages
                    }
                    onCommit(pages)
                }
                return connection
            },
            loop: { [self] connection in
                var presizer: SQLiteWALPresizer?
                if let presizeAt, let size = try? connection.query("PRAGMA page_size", []).first?.int("page_size") {
                    presizer = SQLiteWALPresizer(databasePath: path, threshold: presizeAt.pages, frames: Int(presizeAt.frames), pageSize: Int(size))
                }
                drain(connection, presizer: presizer)
                closesAfter.wait()
            }
        )
    }

    /// Queues work; false once closed (the job has then not been run and never will be).
    func submit(_ job: Job) -> Bool { queue.submit(job) }

    /// Refuses new work; what is queued still runs, then the thread closes its connection.
    func close() { queue.close() }

    /// Counters so far, plus the writes queued now.
    var stats: SQLiteStoreStats {
        let c = counters.withLock { $0 }
        return SQLiteStoreStats(
            commits: c.commits,
            committedBodies: c.committedBodies,
            failedBodies: c.failedBodies,
            largestBatch: c.largestBatch,
            pendingWrites: queue.pending,
            walFrames: c.walFrames
        )
    }

    // MARK: - Writer thread

    /// The thread's loop: batches until the queue is closed and empty.
    private func drain(_ db: SQLiteConnection, presizer: SQLiteWALPresizer?) {
        var presizer = presizer
        while let jobs = queue.take(upTo: Self.batchLimit) {
            var bodies: [Body] = []
            for job in jobs {
                switch job {
                case .body(let body):
                    bodies.append(body)
                case .exclusive(let work):
                    // Keeps submission order: what was queued before runs (and commits) first.
                    commit(bodies, on: db)
                    bodies.removeAll()
                    work(db)
                }
            }
            commit(bodies, on: db)
            // Between transactions, after a commit: see `SQLiteWALPresizer`. Once per store.
            if let sizer = presizer, counters.withLock({ $0.walPages }) >= sizer.threshold {
                // Under the write lock, which another process's writer (a CLI command) needs to
                // append frames: none can land where the zeros go. The empty transaction writes nothing.
                if (try? db.execute(SQLiteSQL.beginImmediate, [])) != nil {
                    sizer.presize()
                    abandonTransaction(db)
                }
                presizer = nil
            }
        }
    }

    /// Runs `bodies` in as few transactions as possible: one, unless a failure inside SQLite
    /// ends the transaction part-way (then the rest go into a new one).
    private func commit(_ bodies: [Body], on db: SQLiteConnection) {
        var rest = bodies[...]
        while !rest.isEmpty { rest = transaction(rest, on: db) }
    }

    /// Runs bodies in one transaction until all have run or the transaction is lost; commits;
    /// returns the bodies not yet run.
    private func transaction(_ bodies: ArraySlice<Body>, on db: SQLiteConnection) -> ArraySlice<Body> {
        // 1. Begin. A transaction left open by an earlier failure would make BEGIN fail for
        //    every batch to come, so end it first.
        do {
            if db.isInTransaction { try db.execute(SQLiteSQL.rollback, []) }
            try db.execute(SQLiteSQL.beginImmediate, [])
        } catch {
            fail(bodies, error)
            return []
        }

        // 2. Each body in its own savepoint; results are held back until the commit.
        var done: [(body: Body, deliver: @Sendable () -> Void)] = []
        var failed = 0
        var index = bodies.startIndex
        while index < bodies.endIndex {
            let body = bodies[index]
            index += 1
            switch runInSavepoint(body, on: db) {
            case .succeeded(let deliver):
                done.append((body, deliver))
            case .failed(let error):
                // Nothing of this body is left in the transaction; the others are unaffected.
                failed += 1
                body.fail(error)
            case .transactionLost(let error):
                // SQLite rolled the whole transaction back (or the body ended it): the earlier
                // bodies' work is gone too. They can be retried at once; the rest of the batch
                // goes on in a fresh transaction.
                body.fail(error)
                abandonTransaction(db)
                let lost = StorageError(.conflict, "write rolled back with its batch after another write failed; retry")
                fail(done.map(\.body)[...], lost, alsoCounting: failed + 1)
                return bodies[index...]
            }
        }

        // 3. One COMMIT, one WAL sync, for the whole batch.
        do {
            try db.execute(SQLiteSQL.commit, [])
        } catch {
            abandonTransaction(db)
            fail(done.map(\.body)[...], error, alsoCounting: failed)
            return []
        }

        // 4. Durable: count, then hand out the results.
        counters.withLock { c in
            if !done.isEmpty {
                c.commits += 1
                c.committedBodies += done.count
                c.largestBatch = max(c.largestBatch, done.count)
            }
            c.failedBodies += failed
        }
        for item in done { item.deliver() }
        return []
    }

    private enum Outcome {
        case succeeded(@Sendable () -> Void)
        case failed(any Error)
        case transactionLost(any Error)
    }

    /// Runs one body between `SAVEPOINT` and `RELEASE`; on a throw rolls back to the savepoint.
    private func runInSavepoint(_ body: Body, on db: SQLiteConnection) -> Outcome {
        let bodyError: any Error
        do {
            try db.execute(SQLiteSQL.savepoint, [])
            let deliver = try body.run(db)
            guard db.isInTransaction else {
                return .transactionLost(StorageError(.schema, "a write body ended the transaction itself; bodies must not run BEGIN, COMMIT or ROLLBACK"))
            }
            guard !db.hasUnresolvedForeignKeys else {
                throw StorageError(.constraint, "FOREIGN KEY constraint failed (deferred, checked at the end of the write)")
            }
            try db.execute(SQLiteSQL.releaseSavepoint, [])
            return .succeeded(deliver)
        } catch {
            bodyError = error
        }
        // Some failures (I/O error, disk full) make SQLite roll back the whole transaction.
        guard db.isInTransaction else { return .transactionLost(bodyError) }
        do {
            try db.execute(SQLiteSQL.rollbackToSavepoint, [])
            try db.execute(SQLiteSQL.releaseSavepoint, [])
        } catch {
            // The body's partial work could not be undone alone: the transaction must go.
            return .transactionLost(bodyError)
        }
        return .failed(bodyError)
    }

    /// Rolls back whatever is left of the batch's transaction.
    private func abandonTransaction(_ db: SQLiteConnection) {
        guard db.isInTransaction else { return }
        do {
            try db.execute(SQLiteSQL.rollback, [])
        } catch {
            // Nobody is left to tell: the next batch's BEGIN step retries the rollback and,
            // if it fails again, reports the error to that batch's bodies.
            return
        }
    }

    /// Gives `error` to every body and counts them as failed, with `extra` failures that
    /// were already reported to their callers.
    private func fail(_ bodies: ArraySlice<Body>, _ error: any Error, alsoCounting extra: Int = 0) {
        counters.withLock { $0.failedBodies += bodies.count + extra }
        for body in bodies { body.fail(error) }
    }
}
