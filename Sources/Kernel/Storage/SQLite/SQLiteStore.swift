import Dispatch
import PluginAPI
import Synchronization

/// The embedded `Store`: one SQLite database file in WAL mode, one writer thread with group
/// commit (`SQLiteWriter`) and a pool of reader threads (`SQLiteReaderPool`).
///
/// Bodies run on those threads, never on the caller's: `read` and `write` suspend the
/// calling task and resume it with the result, so event-loop executors are never blocked.
///
/// - A `write` body runs in a transaction shared with the other writes queued at the same
///   moment, inside its own savepoint: it commits or rolls back on its own, but its result
///   is returned only after the shared COMMIT (one WAL sync, `synchronous=FULL`) succeeded.
///   A body must not call `write` (or `read`) and wait for it: the writer thread would wait
///   on itself. Nor may it run BEGIN, COMMIT, ROLLBACK or `RELEASE sb`.
/// - A `read` body runs in `BEGIN DEFERRED … COMMIT` on a read-only connection: every query
///   in it sees the same committed snapshot; an attempt to write fails.
///
/// The `sqlite:` URL of `storage.url` is parsed by the caller; this takes a file path.
public final class SQLiteStore: Store {
    public let dialect: SQLDialect = .sqlite
    /// The database file.
    public let path: String
    private let writer: SQLiteWriter
    private let readers: SQLiteReaderPool
    private let checkpointer: SQLiteCheckpointer

    /// What every call gets once `close()` has begun.
    static let closedError = StorageError(.unavailable, "store closed")

    /// Opens (creating if needed) the database at `path` with `readers` reader connections.
    /// Blocks while the connections open: call it at boot, not from an event loop.
    ///
    /// Every connection gets `journal_mode=WAL` (checked), `synchronous=FULL`,
    /// `busy_timeout=5000`, `foreign_keys=ON` and `temp_store=MEMORY`. An empty path or `:memory:` is refused:
    /// each connection would see its own private database.
    public convenience init(path: String, readers: Int = 4) throws {
        try self.init(path: path, readers: readers, walLimits: .standard)
    }

    /// `walLimits`: when the WAL is checkpointed and restarted (tests use small ones).
    init(path: String, readers: Int, walLimits: SQLiteCheckpointer.Limits) throws {
        guard !path.isEmpty, path != ":memory:" else {
            throw StorageError(.other, "sqlite needs a database file path, got \(path.isEmpty ? "an empty path" : path)")
        }
        guard readers > 0 else { throw StorageError(.other, "readers must be at least 1, got \(readers)") }
        self.path = path
        // The writer first: it creates the file and switches it to WAL, which the read-only
        // connections cannot do. It closes its connection after theirs (see `SQLiteWriter`).
        let readerExits = DispatchGroup()
        // The checkpointer exists before the writer's first commit asks for it; its
        // connection opens once the writer has created the file.
        let checkpointerBox = CheckpointerBox()
        writer = try SQLiteWriter(path: path, closesAfter: readerExits,
                                  presizeAt: (walLimits.checkpoint, walLimits.restart + walLimits.restartBacklog)) { pages in
            checkpointerBox.committed(walPages: pages)
        }
        do {
            let writer = self.writer
            checkpointer = try SQLiteCheckpointer(path: path, limits: walLimits, exits: readerExits) {
                // On the writer's own connection: no other write runs meanwhile, so it copies
                // every frame and the next write transaction starts the WAL from its beginning.
                let ran = DispatchSemaphore(value: 0)
                if writer.submit(.exclusive { db in
                    _ = try? db.passiveCheckpoint()
                    ran.signal()
                }) { ran.wait() }
            }
        } catch {
            writer.close()
            writer.exits.wait()
            throw error
        }
        checkpointerBox.set(checkpointer)
        do {
            self.readers = try SQLiteReaderPool(path: path, count: readers, exits: readerExits)
        } catch {
            checkpointer.close()
            writer.close()
            writer.exits.wait()
            throw error
        }
    }

    deinit {
        // Never closed: let the threads drain and exit on their own.
        readers.close()
        checkpointer.close()
        writer.close()
    }

    /// Writer counters (commits, bodies per commit) and the writes queued now.
    public var stats: SQLiteStoreStats { writer.stats }

    // MARK: - Store

    /// Runs `body` on a reader connection in one read transaction (a consistent snapshot).
    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let queued = readers.submit { db in
                continuation.resume(with: Result { try SQLiteReaderPool.inSnapshot(db, body) })
            }
            if !queued { continuation.resume(throwing: Self.closedError) }
        }
    }

    /// Runs `body` on the writer connection, batched with other writes (see the type's
    /// notes); returns once its changes are committed, or throws and leaves none.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = SQLiteWriter.Body(
                run: { db in
                    let value = try body(db)
                    return { continuation.resume(returning: value) }
                },
                fail: { continuation.resume(throwing: $0) }
            )
            if !writer.submit(.body(job)) { continuation.resume(throwing: Self.closedError) }
        }
    }

    // MARK: - Lifecycle

    /// Copies the WAL into the database file and truncates it, between write batches.
    /// Waits up to the busy timeout for long reads still on old WAL frames, holding up
    /// writes meanwhile: for maintenance, not for every request.
    public func checkpoint() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let queued = writer.submit(.exclusive { db in
                do {
                    try db.checkpoint()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            })
            if !queued { continuation.resume(throwing: Self.closedError) }
        }
    }

    /// Refuses new calls (they throw `.unavailable` "store closed"), lets queued reads and
    /// writes finish, closes the connections (the writer's last, so SQLite checkpoints the
    /// WAL) and stops the threads. Safe to call more than once.
    public func close() async {
        readers.close()
        checkpointer.close()
        writer.close()
        // The writer thread itself waits for the readers before closing its connection.
        await Self.wait(for: writer.exits)
    }

    /// Lets the writer's commit hook reach a checkpointer created after the writer.
    private final class CheckpointerBox: Sendable {
        private let cell = Mutex<SQLiteCheckpointer?>(nil)
        func set(_ checkpointer: SQLiteCheckpointer) { cell.withLock { $0 = checkpointer } }
        func committed(walPages: Int32) { cell.withLock { $0 }?.committed(walPages: walPages) }
    }

    private static func wait(for group: DispatchGroup) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            group.notify(queue: .global()) { continuation.resume() }
        }
    }
}
