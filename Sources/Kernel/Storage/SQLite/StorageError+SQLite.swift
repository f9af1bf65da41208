import CSQLite
import PluginAPI

extension StorageError {
    /// Maps a SQLite result code (primary or extended) to a `StorageError`.
    ///
    /// `message` is SQLite's own text (`sqlite3_errmsg`), which names tables, columns and
    /// constraints but never a bound value; `sql` is shortened by `sqliteExcerpt` for the same
    /// reason: the statement text is ours, the values are the caller's (tokens, phones).
    /// `duringPrepare` tells a plain SQLITE_ERROR from compilation (syntax, no such table or
    /// column: a schema bug) from one raised while running (reported as `.other`).
    init(sqliteCode code: Int32, message: String, sql: String?, duringPrepare: Bool) {
        let kind: Kind
        switch code & 0xff {
        case SQLITE_CONSTRAINT: kind = .constraint
        case SQLITE_BUSY, SQLITE_LOCKED: kind = .conflict
        case SQLITE_ERROR where duringPrepare: kind = .schema
        default: kind = .other
        }
        var text = "\(message) (sqlite code \(code))"
        if let sql { text += " in: \(StorageError.sqliteExcerpt(sql))" }
        self.init(kind, text)
    }

    /// The statement's first 80 characters on one line, for error messages.
    static func sqliteExcerpt(_ sql: String) -> String {
        let oneLine = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard oneLine.count > 80 else { return oneLine }
        return String(oneLine.prefix(80)) + "…"
    }
}
