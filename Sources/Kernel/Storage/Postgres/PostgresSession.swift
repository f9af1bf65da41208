import CPostgres
import PluginAPI

/// What one pool thread owns: its connection, replaced when it breaks, and the transaction
/// around each body. Created and used on that thread only.
final class PostgresSession {
    private let url: PostgresURL
    private let backoff: PostgresBackoff
    private var connection: PostgresConnection?

    init(url: PostgresURL, backoff: PostgresBackoff) {
        self.url = url
        self.backoff = backoff
    }

    /// Makes sure a connection is open (the store's eager first connection).
    func connect() throws(StorageError) {
        _ = try usableConnection()
    }

    /// Runs `body` between `BEGIN READ WRITE` and `COMMIT`, rolling back and rethrowing when it
    /// throws; or, when `readOnly`, without a transaction block (see `read`).
    ///
    /// PostgreSQL aborts the whole transaction when one statement fails, even if the body
    /// catches the error and carries on; such a transaction is rolled back and reported
    /// rather than silently losing its work at `COMMIT`. (Bodies that expect a conflict use
    /// `ON CONFLICT … DO` instead of catching `.constraint`.)
    func transaction<T>(readOnly: Bool, _ body: (any SQLConnection) throws -> T) throws -> T {
        if readOnly { return try read(body) }
        let connection = try begin()
        defer { dropIfUnusable(connection) }
        let value: T
        do {
            value = try body(connection)
        } catch {
            rollback(connection)
            throw error
        }
        if connection.transactionStatus == PQTRANS_INERROR {
            rollback(connection)
            throw StorageError(.other, "transaction rolled back: a statement in it failed and the body caught the error")
        }
        try commit(connection)
        return value
    }

    /// Closes the connection (the thread is ending).
    func close() {
        connection = nil
    }

    /// Runs a read body with each statement in its own implicit transaction, which the session's
    /// `default_transaction_read_only` makes read-only: a write fails as it would after `BEGIN
    /// READ ONLY`. At PostgreSQL's default isolation (READ COMMITTED) every statement takes its
    /// own snapshot inside a transaction block too, so the body sees what it would have seen;
    /// it saves the `BEGIN` and `COMMIT` round trips, two of a one-statement read's three.
    private func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        let (connection, fresh) = try usableConnection()
        defer { dropIfUnusable(connection) }
        do {
            return try body(connection)
        } catch let error as StorageError where error.kind == .unavailable && !fresh {
            // An idle pooled connection that died unnoticed (see `begin`): a read changed
            // nothing, so it runs again on a new connection.
            self.connection = nil
            let (replacement, _) = try usableConnection()
            defer { dropIfUnusable(replacement) }
            return try body(replacement)
        }
    }

    // MARK: - steps

    private func begin() throws(StorageError) -> PostgresConnection {
        // READ WRITE: the session's default is read-only (see `read`).
        let sql = "BEGIN READ WRITE"
        let (connection, fresh) = try usableConnection()
        do throws(StorageError) {
            try connection.command(sql)
            return connection
        } catch let error where error.kind == .unavailable && !fresh {
            // An idle pooled connection can die unnoticed (server restart, pg_terminate_backend,
            // an idle timeout on a proxy). Nothing ran yet, so one reconnect and retry is safe
            // and hides it from the caller.
            self.connection = nil
            let (replacement, _) = try usableConnection()
            try replacement.command(sql)
            return replacement
        }
    }

    private func commit(_ connection: PostgresConnection) throws(StorageError) {
        let tag: String
        do throws(StorageError) {
            tag = try connection.command("COMMIT")
        } catch let error where error.kind == .unavailable {
            throw StorageError(.unavailable, "connection lost during COMMIT, the transaction may or may not have been applied: \(error.message)")
        }
        // A transaction the server had already aborted answers COMMIT with ROLLBACK.
        guard tag == "COMMIT" else { throw StorageError(.other, "transaction was rolled back at COMMIT (\(tag))") }
    }

    /// Best effort: the body's error is the one that matters. If ROLLBACK itself fails the
    /// connection is broken or confused, and `dropIfUnusable` replaces it.
    private func rollback(_ connection: PostgresConnection) {
        guard connection.isUsable else { return }
        do throws(StorageError) {
            try connection.command("ROLLBACK")
        } catch {
            self.connection = nil
        }
    }

    /// A connection left broken or inside a transaction is not handed to the next body.
    private func dropIfUnusable(_ used: PostgresConnection) {
        guard let current = connection, current === used else { return }
        if !current.isUsable || current.transactionStatus != PQTRANS_IDLE { connection = nil }
    }

    /// The open connection, or a new one (`fresh`) when there was none or it broke; fails fast
    /// with `.unavailable` while the shared backoff forbids an attempt.
    private func usableConnection() throws(StorageError) -> (PostgresConnection, fresh: Bool) {
        if let connection, connection.isUsable { return (connection, false) }
        connection = nil
        try backoff.checkAttempt()
        do throws(StorageError) {
            let opened = try PostgresConnection(url: url)
            try opened.command("SET default_transaction_read_only = on")
            backoff.succeeded()
            connection = opened
            return (opened, true)
        } catch {
            backoff.failed(error)
            throw error
        }
    }
}

@available(*, unavailable)
extension PostgresSession: Sendable {}
