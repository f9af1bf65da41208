/// The statements the SQLite backend runs on its own behalf, beside the code that uses them.
enum SQLiteSQL {
    // Connection setup. `busy_timeout` comes first so the journal-mode switch, which needs a
    // brief exclusive lock, waits for another process instead of failing at once.
    static let busyTimeout = "PRAGMA busy_timeout=5000"
    static let journalModeWAL = "PRAGMA journal_mode=WAL"
    /// FULL: an acknowledged write survives power loss (the WAL is synced on every commit).
    static let synchronousFull = "PRAGMA synchronous=FULL"
    static let foreignKeysOn = "PRAGMA foreign_keys=ON"
    /// Temporary structures (statement journals, sorters, materialised subqueries) in memory.
    /// With the default, SQLite created, wrote and unlinked a file in /var/tmp for about one
    /// write in three on the phone benchmark (strace: 929 `etilqs_*` files over ~6,000
    /// commits), and those syscalls were most of the `resolve` body's p99 (0.37 ms; 0.21 ms
    /// in memory). What they hold is bounded by one statement's work, not by the database.
    static let tempStoreMemory = "PRAGMA temp_store=MEMORY"

    // Writer: one IMMEDIATE transaction per batch (takes the write lock up front, so no body
    // meets SQLITE_BUSY half-way), one savepoint per body.
    static let beginImmediate = "BEGIN IMMEDIATE"
    static let savepoint = "SAVEPOINT sb"
    static let releaseSavepoint = "RELEASE sb"
    static let rollbackToSavepoint = "ROLLBACK TO sb"

    // Readers: DEFERRED takes the WAL snapshot at the first read and keeps it to COMMIT.
    static let beginDeferred = "BEGIN DEFERRED"
    static let commit = "COMMIT"
    static let rollback = "ROLLBACK"
}
