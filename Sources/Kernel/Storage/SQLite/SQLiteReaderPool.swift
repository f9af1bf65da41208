import Dispatch
import PluginAPI

/// The store's readers: `count` threads, each with its own read-only connection, taking
/// read bodies one at a time from a shared queue. Each body runs inside
/// `BEGIN DEFERRED … COMMIT`, so all its queries see one WAL snapshot however many commits
/// the writer makes meanwhile.
final class SQLiteReaderPool: Sendable {
    /// A read body bound to its caller's continuation; runs on a reader thread.
    typealias Job = @Sendable (SQLiteConnection) -> Void

    private let queue = BlockingQueue<Job>()
    /// Left by each reader thread when it has drained the queue and closed its connection.
    let exits: DispatchGroup

    /// Opens `count` read-only connections, each on its own thread. The database must exist
    /// and be in WAL mode already (the writer opens first). On failure the threads already
    /// started are stopped and waited for before the error is thrown.
    init(path: String, count: Int, exits: DispatchGroup) throws(StorageError) {
        self.exits = exits
        guard count > 0 else { throw StorageError(.other, "readers must be at least 1, got \(count)") }
        do {
            for number in 0..<count {
                try SQLiteThread.start(
                    name: "sqlite-reader-\(number)",
                    exits: exits,
                    open: { () throws(StorageError) in try SQLiteConnection(path: path, readOnly: true) },
                    loop: { [queue] connection in
                        while let jobs = queue.take(upTo: 1) {
                            for job in jobs { job(connection) }
                        }
                    }
                )
            }
        } catch {
            queue.close()
            exits.wait()
            throw error
        }
    }

    /// Queues a read; false once closed.
    func submit(_ job: @escaping Job) -> Bool { queue.submit(job) }

    /// Refuses new reads; queued ones still run, then the threads close their connections.
    func close() { queue.close() }

    /// Runs `body` in a read transaction on `db` (a reader thread's connection).
    static func inSnapshot<T>(_ db: SQLiteConnection, _ body: (any SQLConnection) throws -> T) throws -> T {
        // A transaction left open by a failed rollback below would make BEGIN fail: end it first.
        if db.isInTransaction { try db.execute(SQLiteSQL.rollback, []) }
        try db.execute(SQLiteSQL.beginDeferred, [])
        let value: T
        do {
            value = try body(db)
        } catch {
            do {
                if db.isInTransaction { try db.execute(SQLiteSQL.rollback, []) }
            } catch {
                // The body's error is the one its caller needs; the transaction still open is
                // rolled back before the next read on this connection (see above).
            }
            throw error
        }
        try db.execute(SQLiteSQL.commit, [])
        return value
    }
}
