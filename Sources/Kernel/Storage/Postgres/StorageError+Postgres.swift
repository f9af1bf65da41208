import PluginAPI

extension StorageError.Kind {
    /// The kind a PostgreSQL SQLSTATE stands for: whether retrying can help.
    init(sqlState: String) {
        switch sqlState {
        case "40001", "40P01": self = .conflict                  // serialization failure, deadlock
        case "57P01", "57P02", "57P03": self = .unavailable      // admin/crash shutdown, cannot connect now
        default:
            switch sqlState.prefix(2) {
            case "23": self = .constraint                        // integrity constraint violation
            case "42": self = .schema                            // syntax error or access rule violation
            case "08": self = .unavailable                       // connection exception
            default: self = .other
            }
        }
    }
}

extension StorageError {
    /// A failed statement: the server's primary message, the SQLSTATE and the start of the
    /// SQL. Never the bound values: the primary message of a data exception (class 22)
    /// quotes the offending input, so quoted parts of those are masked, and any bound text
    /// that still appears verbatim is masked too. The detail field (which shows key values
    /// for constraint violations) is never used.
    static func postgres(
        kind: Kind, sqlState: String?, message: String, sql: String?, parameters: [SQLValue]
    ) -> StorageError {
        var primary = oneLine(message)
        if let sqlState, sqlState.hasPrefix("22") { primary = maskingQuoted(primary) }
        for case .text(let value) in parameters where value.count >= 4 {
            primary = primary.replacingLiteral(value, with: "…")
        }
        var text = primary
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let sql { text += " in: \(sqlPrefix(sql))" }
        return StorageError(kind, text)
    }

    /// The first 80 characters of `sql` with whitespace runs collapsed, so messages stay on
    /// one line; `…` marks a cut.
    static func sqlPrefix(_ sql: String) -> String {
        let flat = oneLine(sql)
        guard flat.count > 80 else { return flat }
        return String(flat.prefix(80)) + "…"
    }

    /// Whitespace runs (libpq messages carry newlines and tabs) collapsed to one space.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// `"…"` in place of every double-quoted part.
    private static func maskingQuoted(_ text: String) -> String {
        var out = ""
        var inside = false
        for c in text {
            if c == "\"" {
                out.append(inside ? "…\"" : "\"")
                inside.toggle()
            } else if !inside {
                out.append(c)
            }
        }
        if inside { out += "…" }
        return out
    }
}
