import CSQLite
import PluginAPI

/// One SQLite connection: the only owner of its `sqlite3*`, used by one thread at a time
/// (opened with `SQLITE_OPEN_NOMUTEX`, so SQLite does no locking of its own), never shared.
/// `SQLiteStore` gives each of its threads one connection, opened and closed on that thread.
///
/// Statements are prepared once per SQL text and kept in a per-connection cache.
final class SQLiteConnection: SQLConnection {
    let dialect: SQLDialect = .sqlite
    /// Whether the connection was opened read-only (the store's readers are).
    let readOnly: Bool
    private var handle: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]
    /// Kept alive as long as the connection, which holds it unretained as the hook's context.
    private var walHook: WALHook?
    /// Beyond this many cached statements the cache starts over: SQL texts are constants in
    /// practice, so only a caller building SQL from data would reach it.
    static let statementCacheLimit = 512

    /// Opens (creating it unless `readOnly`) the database at `path` and applies the store's
    /// pragmas: WAL (checked), `synchronous=FULL`, `busy_timeout=5000`, `foreign_keys=ON`,
    /// `temp_store=MEMORY`.
    init(path: String, readOnly: Bool) throws(StorageError) {
        self.readOnly = readOnly
        var db: OpaquePointer?
        let access = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let code = sqlite3_open_v2(path, &db, access | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let db else {
            // Even a failed open allocates a handle (for its error message) that must be closed.
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw StorageError(sqliteCode: code, message: "cannot open \(path): \(message)", sql: nil, duringPrepare: false)
        }
        handle = db
        // Extended codes tell a UNIQUE from a FOREIGN KEY failure in error messages.
        sqlite3_extended_result_codes(db, 1)
        do {
            try execute(SQLiteSQL.busyTimeout, [])
            let mode = try query(SQLiteSQL.journalModeWAL, []).first?["journal_mode"]
            guard mode == .text("wal") else {
                throw StorageError(.other, "cannot open \(path): journal_mode=WAL did not take (got \(mode?.description ?? "nothing"))")
            }
            try execute(SQLiteSQL.synchronousFull, [])
            try execute(SQLiteSQL.foreignKeysOn, [])
            try execute(SQLiteSQL.tempStoreMemory, [])
        } catch let error as StorageError {
            close()
            throw error
        } catch {
            close()
            throw StorageError(.other, "cannot open \(path): \(error)")
        }
    }

    deinit { close() }

    /// Whether a transaction is open. SQLite ends one by itself after some failures (I/O
    /// error, disk full), so the writer checks this after every body.
    var isInTransaction: Bool {
        guard let handle else { return false }
        return sqlite3_get_autocommit(handle) == 0
    }

    /// Whether changes made so far leave foreign-key violations that a deferred constraint
    /// would only report at COMMIT. The writer checks after each body, so one body's deferred
    /// violation fails that body alone instead of the whole batch's COMMIT.
    var hasUnresolvedForeignKeys: Bool {
        guard let handle else { return false }
        var current: Int32 = 0
        var highest: Int32 = 0
        guard sqlite3_db_status(handle, SQLITE_DBSTATUS_DEFERRED_FKS, &current, &highest, 0) == SQLITE_OK else { return false }
        return current > 0
    }

    /// Finalizes the cached statements and closes the database. Idempotent.
    func close() {
        statements.removeAll()
        guard let handle else { return }
        self.handle = nil
        // After the statements are finalized nothing holds the handle, so this closes at once.
        sqlite3_close_v2(handle)
    }

    // MARK: - SQLConnection

    /// Runs a statement; returns the number of rows it changed. Text holding several
    /// statements (a migration script) runs them in order when there are no parameters.
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> Int {
        let statement = try prepared(sql)
        guard statement.hasMoreStatements else { return try statement.run(parameters) }
        guard parameters.isEmpty else {
            throw StorageError(.schema, "parameters given to several statements in: \(StorageError.sqliteExcerpt(sql))")
        }
        return try executeScript(sql)
    }

    /// Runs one query; returns every row.
    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
        let statement = try prepared(sql)
        guard !statement.hasMoreStatements else {
            throw StorageError(.schema, "a query must be one statement: \(StorageError.sqliteExcerpt(sql))")
        }
        return try statement.rows(parameters)
    }

    // MARK: - Maintenance

    /// Copies the WAL into the database file and truncates it. Waits up to `busy_timeout` for
    /// readers still using older WAL frames (then fails with `.conflict`).
    func checkpoint() throws(StorageError) {
        let db = try open()
        let code = sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
        guard code == SQLITE_OK else {
            throw StorageError(sqliteCode: code, message: "checkpoint: \(String(cString: sqlite3_errmsg(db)))", sql: nil, duringPrepare: false)
        }
    }

    /// Calls `body` with the WAL's size in pages after every commit. Installing it turns off
    /// SQLite's automatic checkpoint, which would otherwise run inside the committing
    /// write (see `SQLiteCheckpointer`).
    func onCommit(walPages body: @escaping @Sendable (Int32) -> Void) throws(StorageError) {
        let db = try open()
        let hook = WALHook(body)
        walHook = hook
        sqlite3_wal_hook(db, { context, _, _, pages in
            if let context { Unmanaged<WALHook>.fromOpaque(context).takeUnretainedValue().body(pages) }
            return SQLITE_OK
        }, Unmanaged.passUnretained(hook).toOpaque())
    }

    /// Copies what it can of the WAL into the database file without waiting for anyone
    /// (`PASSIVE`: writers go on meanwhile). Returns the frames in the WAL and those copied.
    @discardableResult
    func passiveCheckpoint() throws(StorageError) -> (walFrames: Int32, copied: Int32) {
        let db = try open()
        var frames: Int32 = 0
        var copied: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(db, nil, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied)
        guard code == SQLITE_OK || code == SQLITE_BUSY else {
            throw StorageError(sqliteCode: code, message: "checkpoint: \(String(cString: sqlite3_errmsg(db)))", sql: nil, duringPrepare: false)
        }
        return (frames, copied)
    }

    // MARK: - Private

    private func open() throws(StorageError) -> OpaquePointer {
        guard let handle else { throw StorageError(.unavailable, "connection closed") }
        return handle
    }

    private func prepared(_ sql: String) throws(StorageError) -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        let statement = try SQLiteStatement(db: try open(), sql: sql, persistent: true)
        if statements.count >= Self.statementCacheLimit { statements.removeAll() }
        // A script is compiled piecewise by `executeScript` each time; caching only its first
        // statement would not help.
        if !statement.hasMoreStatements { statements[sql] = statement }
        return statement
    }

    /// Runs several statements without parameters; returns the rows they changed in total.
    private func executeScript(_ sql: String) throws(StorageError) -> Int {
        let db = try open()
        let before = sqlite3_total_changes64(db)
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(db, sql, nil, nil, &message)
        defer { sqlite3_free(message) }
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            // `sqlite3_exec` does not say whether compiling or running failed; a plain
            // SQLITE_ERROR in a script is nearly always a bad statement, so `.schema`.
            throw StorageError(sqliteCode: code, message: text, sql: sql, duringPrepare: true)
        }
        return Int(sqlite3_total_changes64(db) - before)
    }
}

@available(*, unavailable)
extension SQLiteConnection: Sendable {}

/// The closure behind a connection's WAL hook.
private final class WALHook: Sendable {
    let body: @Sendable (Int32) -> Void
    init(_ body: @escaping @Sendable (Int32) -> Void) { self.body = body }
}
