import CPostgres
import Glibc
import PluginAPI

/// One libpq connection (`PGconn*`), used by one thread at a time: a pool thread or the
/// listener thread. Every call blocks that thread; none may run on an event loop.
///
/// Statements with parameters (and single statements without) are prepared once per
/// connection and then executed by name: the cache maps the SQL text, together with the
/// declared parameter types (`bytea` for blobs, otherwise "infer"), to `s1`, `s2`, …. A
/// reconnect is a new `PostgresConnection`, so the cache is rebuilt naturally.
final class PostgresConnection: SQLConnection {
    /// The statement cache key: the same SQL bound once with bytes and once with text for
    /// the same parameter needs two statements, since the type is fixed at prepare time.
    private struct StatementKey: Hashable {
        let sql: String
        let types: [Oid]
    }

    /// Above this many cached statements the cache is emptied (`DEALLOCATE ALL`): SQL in this
    /// project is constant text, so only generated SQL would ever get here.
    static let statementCacheLimit = 256

    let dialect: SQLDialect = .postgres
    let url: PostgresURL
    private let handle: OpaquePointer
    private var statements: [StatementKey: String] = [:]
    private var statementCounter = 0
    /// Set when the protocol is left in a state no later call can use (an unsupported COPY).
    private var poisoned = false

    /// Connects (blocking, at most `connect_timeout` = 2 s per host unless the URL says
    /// otherwise). Throws `.unavailable` with the password masked.
    init(url: PostgresURL) throws(StorageError) {
        // Entries before `dbname` (the URL, expanded by libpq) are defaults the URL may
        // override; entries after it always win: results are decoded as UTF-8.
        // The keepalive and TCP user timeouts notice a server that vanished without closing
        // the connection (host down, network cut) in about a minute rather than the
        // operating system's two hours.
        let keywords = ["connect_timeout", "application_name", "keepalives_idle", "keepalives_interval",
                        "keepalives_count", "tcp_user_timeout", "dbname", "client_encoding"]
        let values = ["2", "switchboard", "30", "10", "3", "30000", url.raw, "UTF8"]
        let connection = Self.withCStringArray(keywords) { k in
            Self.withCStringArray(values) { v in PQconnectdbParams(k, v, 1) }
        }
        guard let connection else {
            throw StorageError(.unavailable, "cannot connect to \(url.masked): libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let reason = url.redact(StorageError.oneLine(String(cString: PQerrorMessage(connection))))
            PQfinish(connection)
            throw StorageError(.unavailable, "cannot connect to \(url.masked): \(reason)")
        }
        // libpq prints NOTICEs (`relation … already exists, skipping`) to stderr by default,
        // which would interleave with the JSON log: drop them.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
        self.url = url
    }

    deinit { PQfinish(handle) }

    /// False once the connection broke or was left unusable; the owner then drops it.
    var isUsable: Bool { !poisoned && PQstatus(handle) == CONNECTION_OK }

    /// Idle, in a transaction, or in a failed transaction.
    var transactionStatus: PGTransactionStatusType { PQtransactionStatus(handle) }

    /// The server process serving this connection.
    var backendPID: Int32 { PQbackendPID(handle) }

    /// The socket, for `poll()` on the listener connection.
    var socket: Int32 { PQsocket(handle) }

    // MARK: - SQLConnection

    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws -> Int {
        let result = try run(sql, parameters)
        defer { PQclear(result) }
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    func query(_ sql: String, _ parameters: [SQLValue]) throws -> [Row] {
        let result = try run(sql, parameters)
        defer { PQclear(result) }
        return Self.rows(of: result)
    }

    // MARK: - simple protocol

    /// Runs parameterless SQL through the simple protocol (transaction control, LISTEN) and
    /// returns its command tag: `COMMIT`, `ROLLBACK`, `LISTEN`, ….
    @discardableResult
    func command(_ sql: String) throws(StorageError) -> String {
        guard isUsable else { throw lost(sql) }
        let result = try check(PQexec(handle, sql), sql: sql, parameters: [])
        defer { PQclear(result) }
        return String(cString: PQcmdStatus(result))
    }

    // MARK: - notifications (listener connection)

    /// Reads whatever the server sent without blocking. Throws `.unavailable` when the
    /// connection is gone (the server closed it, or it was terminated).
    func consumeInput() throws(StorageError) {
        guard PQconsumeInput(handle) != 0, isUsable else { throw lost(nil) }
    }

    /// The next notification libpq has queued, if any.
    func nextNotification() -> (channel: String, payload: String)? {
        guard let notify = PQnotifies(handle) else { return nil }
        defer { PQfreemem(notify) }
        return (String(cString: notify.pointee.relname), String(cString: notify.pointee.extra))
    }

    // MARK: - statements

    private func run(_ sql: String, _ parameters: [SQLValue]) throws(StorageError) -> OpaquePointer {
        // The statement-level check: a broken connection fails at once, without libpq trying.
        guard isUsable else { throw lost(sql) }
        if parameters.isEmpty && PostgresSQLText.hasMultipleStatements(sql) {
            return try check(PQexec(handle, sql), sql: sql, parameters: [])
        }
        let encoded = try PostgresValueCoding.encode(parameters)
        let key = StatementKey(sql: sql, types: encoded.types)
        let name = try prepared(key)
        let result = encoded.withCArrays { values, lengths, formats in
            PQexecPrepared(handle, name, Int32(encoded.count), values, lengths, formats, 0)
        }
        return try check(result, sql: sql, parameters: parameters, statement: key)
    }

    /// The server-side name of `key`'s statement, preparing it on first use.
    private func prepared(_ key: StatementKey) throws(StorageError) -> String {
        if let name = statements[key] { return name }
        if statements.count >= Self.statementCacheLimit { deallocateAll() }
        statementCounter += 1
        let name = "s\(statementCounter)"
        let result = key.types.withUnsafeBufferPointer { types in
            PQprepare(handle, name, key.sql, Int32(types.count), types.baseAddress)
        }
        PQclear(try check(result, sql: key.sql, parameters: []))
        statements[key] = name
        return name
    }

    /// Empties the statement cache. Skipped inside a failed transaction (the server would
    /// refuse); the next prepare there fails anyway and the cache is emptied later.
    private func deallocateAll() {
        guard transactionStatus != PQTRANS_INERROR, let result = PQexec(handle, "DEALLOCATE ALL") else { return }
        defer { PQclear(result) }
        if PQresultStatus(result) == PGRES_COMMAND_OK { statements.removeAll() }
    }

    /// `result` when it succeeded; otherwise it is freed and the failure thrown as a
    /// `StorageError` (kind from the SQLSTATE, `.unavailable` whenever the connection broke).
    private func check(
        _ result: OpaquePointer?, sql: String, parameters: [SQLValue], statement: StatementKey? = nil
    ) throws(StorageError) -> OpaquePointer {
        guard let result else { throw failure(sqlState: nil, message: String(cString: PQerrorMessage(handle)), sql: sql, parameters: parameters) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return result
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            PQclear(result)
            poisoned = true
            throw StorageError(.other, "COPY is not supported by the store in: \(StorageError.sqlPrefix(sql))")
        default:
            let sqlState = Self.errorField(result, "C")
            let message = Self.errorField(result, "M") ?? String(cString: PQresultErrorMessage(result))
            PQclear(result)
            // A statement the server no longer has (`DISCARD ALL`) or whose cached plan went
            // stale after a schema change: forget it so the next call prepares it afresh.
            if let statement, sqlState == "26000" || sqlState == "0A000" { statements[statement] = nil }
            throw failure(sqlState: sqlState, message: message, sql: sql, parameters: parameters)
        }
    }

    private func failure(sqlState: String?, message: String, sql: String, parameters: [SQLValue]) -> StorageError {
        let kind: StorageError.Kind = PQstatus(handle) != CONNECTION_OK
            ? .unavailable
            : sqlState.map(StorageError.Kind.init(sqlState:)) ?? .other
        return StorageError.postgres(kind: kind, sqlState: sqlState, message: url.redact(message), sql: sql, parameters: parameters)
    }

    /// The error for a call on a connection that is already broken.
    private func lost(_ sql: String?) -> StorageError {
        let reason = url.redact(StorageError.oneLine(String(cString: PQerrorMessage(handle))))
        var text = "connection to \(url.masked) lost"
        if !reason.isEmpty { text += ": \(reason)" }
        if let sql { text += " in: \(StorageError.sqlPrefix(sql))" }
        return StorageError(.unavailable, text)
    }

    // MARK: - helpers

    private static func errorField(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
        // PG_DIAG_* are character-literal macros, which Swift does not import.
        PQresultErrorField(result, Int32(code.value)).map { String(cString: $0) }
    }

    /// Every row of a text-format result, each value decoded by its column's type.
    private static func rows(of result: OpaquePointer) -> [Row] {
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        guard rowCount > 0 else { return [] }
        let columns = (0..<columnCount).map { c in PQfname(result, c).map { String(cString: $0) } ?? "?column?" }
        let types = (0..<columnCount).map { PQftype(result, $0) }
        var rows: [Row] = []
        rows.reserveCapacity(Int(rowCount))
        for r in 0..<rowCount {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columnCount))
            for c in 0..<columnCount {
                guard PQgetisnull(result, r, c) == 0, let pointer = PQgetvalue(result, r, c) else {
                    values.append(.null)
                    continue
                }
                let field = UnsafeRawBufferPointer(start: pointer, count: Int(PQgetlength(result, r, c)))
                values.append(PostgresValueCoding.decode(field, type: types[Int(c)]))
            }
            rows.append(Row(columns: columns, values: values))
        }
        return rows
    }

    /// A NULL-terminated C array of C strings, valid inside `body`.
    private static func withCStringArray<R>(
        _ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R?
    ) -> R? {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { $0.map { UnsafePointer($0) } } + [nil]
        return pointers.withUnsafeBufferPointer { buffer in buffer.baseAddress.flatMap(body) }
    }
}

@available(*, unavailable)
extension PostgresConnection: Sendable {}
