/// The statements the SQLite backend runs on its own behalf, beside the code that uses them.
enum SQLiteSQL {
    // Connection setup. `busy_timeout` comes first so the journal-mode switch, which needs a
    // brief exclusive lock, waits for another process instead of failing at once.
    static let busyTimeout = "PRAGMA busy_timeout=5000"
    static let journalModeWAL = "PRAGMA journal_mode=WAL"
    /// FULL: an acknowledged write survives power loss (the WAL is synced on every commit).
    static let synchronousFull = "PRAGMA synchronous=FULL"
    static let foreignKeysOn = "PRAGMA foreign_keys=ON"

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
