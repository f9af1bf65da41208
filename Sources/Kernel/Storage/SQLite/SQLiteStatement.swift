import CSQLite
import PluginAPI

/// Tells SQLite to copy a bound text or blob before the bind call returns, so no Swift
/// buffer has to outlive the call. The C macro is `((sqlite3_destructor_type)-1)`, which
/// Swift cannot import.
private var sqliteTransient: sqlite3_destructor_type {
    unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}

/// One prepared statement, owned by the `SQLiteConnection` that prepared it (its cache) and
/// used only on that connection's thread. Binds `$1…$n` by name, so a placeholder may repeat
/// or appear out of order, steps to the end and leaves itself reset with no bindings.
final class SQLiteStatement {
    private let handle: OpaquePointer
    /// The connection's handle, for `sqlite3_errmsg`; the connection outlives its statements.
    private let db: OpaquePointer
    let sql: String
    /// `parameterSlots[i]` is SQLite's index for placeholder `$(i + 1)`.
    private let parameterSlots: [Int32]
    /// Whether the text holds more statements after the first (a script).
    let hasMoreStatements: Bool

    /// Compiles the first statement of `sql`; `persistent` hints SQLite that it will be reused.
    init(db: OpaquePointer, sql: String, persistent: Bool) throws(StorageError) {
        var statement: OpaquePointer?
        var more = false
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let code = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v3(db, text, -1, flags, &statement, &tail)
            more = tail.map(SQLiteStatement.holdsMoreSQL) ?? false
            return code
        }
        guard code == SQLITE_OK else {
            throw StorageError(sqliteCode: code, message: String(cString: sqlite3_errmsg(db)), sql: sql, duringPrepare: true)
        }
        // Text made only of comments or whitespace compiles to no statement at all.
        guard let statement else { throw StorageError(.schema, "no SQL statement in: \(StorageError.sqliteExcerpt(sql))") }
        // Only `$1…$n` are portable to PostgreSQL: every slot must be one of them, with no gaps.
        let count = sqlite3_bind_parameter_count(statement)
        var slots: [Int32] = []
        slots.reserveCapacity(Int(count))
        if count > 0 {
            for number in 1...count {
                let slot = sqlite3_bind_parameter_index(statement, "$\(number)")
                guard slot > 0 else {
                    sqlite3_finalize(statement)
                    throw StorageError(.schema, "placeholders must be $1…$\(count) without gaps (no ?, :name or @name) in: \(StorageError.sqliteExcerpt(sql))")
                }
                slots.append(slot)
            }
        }
        self.handle = statement
        self.db = db
        self.sql = sql
        self.parameterSlots = slots
        self.hasMoreStatements = more
    }

    deinit { sqlite3_finalize(handle) }

    /// Runs the statement to completion, discarding any rows; returns the rows it changed.
    func run(_ parameters: [SQLValue]) throws(StorageError) -> Int {
        defer { clear() }
        try bind(parameters)
        let before = sqlite3_total_changes64(db)
        while try step() {}
        // `sqlite3_changes` keeps the count of the last INSERT/UPDATE/DELETE on this connection,
        // so a DDL statement after a DML one would report the stale count: only trust it when
        // this statement changed something.
        guard sqlite3_total_changes64(db) != before else { return 0 }
        return Int(sqlite3_changes64(db))
    }

    /// Runs the statement and collects every row.
    func rows(_ parameters: [SQLValue]) throws(StorageError) -> [Row] {
        defer { clear() }
        try bind(parameters)
        let width = sqlite3_column_count(handle)
        let columns = (0..<width).map { i in sqlite3_column_name(handle, i).map { String(cString: $0) } ?? "" }
        var rows: [Row] = []
        while try step() {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(width))
            for i in 0..<width { values.append(column(i)) }
            rows.append(Row(columns: columns, values: values))
        }
        return rows
    }

    // MARK: - Private

    private func bind(_ parameters: [SQLValue]) throws(StorageError) {
        guard parameters.count == parameterSlots.count else {
            throw StorageError(.schema, "statement takes \(parameterSlots.count) parameter(s), \(parameters.count) given, in: \(StorageError.sqliteExcerpt(sql))")
        }
        for (number, value) in parameters.enumerated() {
            let slot = parameterSlots[number]
            let code: Int32
            switch value {
            case .null:
                code = sqlite3_bind_null(handle, slot)
            case .integer(let v):
                code = sqlite3_bind_int64(handle, slot, v)
            case .double(let v):
                code = sqlite3_bind_double(handle, slot, v)
            case .text(let v):
                // Explicit length: the text may hold NUL characters.
                var text = v
                code = text.withUTF8 { bytes in
                    guard let base = bytes.baseAddress, !bytes.isEmpty else {
                        // An empty buffer may have no address, and a NULL pointer binds SQL NULL.
                        return sqlite3_bind_text(handle, slot, "", 0, sqliteTransient)
                    }
                    return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        sqlite3_bind_text64(handle, slot, $0, UInt64(bytes.count), sqliteTransient, UInt8(SQLITE_UTF8))
                    }
                }
            case .blob(let v):
                code = v.withUnsafeBytes { bytes in
                    guard let base = bytes.baseAddress, !bytes.isEmpty else {
                        // A NULL pointer binds SQL NULL; an empty blob is a zero-length blob.
                        return sqlite3_bind_zeroblob(handle, slot, 0)
                    }
                    return sqlite3_bind_blob64(handle, slot, base, UInt64(bytes.count), sqliteTransient)
                }
            }
            guard code == SQLITE_OK else { throw failure(code, binding: number + 1) }
        }
    }

    /// One step: true when a row is ready, false when done.
    private func step() throws(StorageError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw failure(code)
        }
    }

    private func column(_ i: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT:
            return .double(sqlite3_column_double(handle, i))
        case SQLITE_TEXT:
            // `column_text` before `column_bytes`, as SQLite asks; the byte count keeps NULs.
            guard let text = sqlite3_column_text(handle, i) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, i))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            // A zero-length blob comes back as a NULL pointer.
            guard let blob = sqlite3_column_blob(handle, i) else { return .blob([]) }
            let count = Int(sqlite3_column_bytes(handle, i))
            return .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
        default:
            return .null
        }
    }

    /// Leaves the statement ready for the next use, without the caller's values.
    private func clear() {
        // `sqlite3_reset` repeats the last step's error, which `step` has already reported.
        _ = sqlite3_reset(handle)
        _ = sqlite3_clear_bindings(handle)
    }

    /// The error for a failed bind (of `$number`) or step, with SQLite's message.
    private func failure(_ code: Int32, binding number: Int? = nil) -> StorageError {
        var message = String(cString: sqlite3_errmsg(db))
        if let number { message = "binding $\(number): \(message)" }
        return StorageError(sqliteCode: code, message: message, sql: sql, duringPrepare: false)
    }

    /// Whether the text after the first statement holds more than whitespace, semicolons and
    /// comments (`-- …` to the end of the line, `/* … */`), that is, another statement.
    private static func holdsMoreSQL(_ tail: UnsafePointer<CChar>) -> Bool {
        var p = tail
        func at(_ offset: Int) -> UInt8 { UInt8(bitPattern: p[offset]) }
        while at(0) != 0 {
            switch at(0) {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: ";"):
                p += 1
            case UInt8(ascii: "-") where at(1) == UInt8(ascii: "-"):
                while at(0) != 0 && at(0) != UInt8(ascii: "\n") { p += 1 }
            case UInt8(ascii: "/") where at(1) == UInt8(ascii: "*"):
                p += 2
                while at(0) != 0 && !(at(0) == UInt8(ascii: "*") && at(1) == UInt8(ascii: "/")) { p += 1 }
                // An unterminated comment runs to the end, as SQLite reads it.
                if at(0) != 0 { p += 2 }
            default:
                return true
            }
        }
        return false
    }
}

@available(*, unavailable)
extension SQLiteStatement: Sendable {}
