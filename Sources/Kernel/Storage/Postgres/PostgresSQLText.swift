/// Just enough lexing of SQL text to tell whether it holds more than one statement.
///
/// A prepared statement holds exactly one statement, but a migration is often several
/// (`CREATE TABLE …; CREATE INDEX …;`). Such text, when it binds no parameters, goes through
/// libpq's simple protocol instead. Getting this wrong is harmless: a single statement runs
/// fine through the simple protocol, and several statements sent to `PQprepare` come back
/// as a clear `.schema` error.
enum PostgresSQLText {
    /// True when a `;` outside quotes, comments and dollar quotes is followed by anything
    /// but whitespace, comments and more `;`.
    static func hasMultipleStatements(_ sql: String) -> Bool {
        let s = Array(sql.utf8)
        var i = 0
        var sawTerminator = false
        while i < s.count {
            let c = s[i]
            switch c {
            case UInt8(ascii: ";"):
                sawTerminator = true
                i += 1
                continue
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0C:
                i += 1
                continue
            case UInt8(ascii: "-") where i + 1 < s.count && s[i + 1] == UInt8(ascii: "-"):
                i = skipLineComment(s, i)
                continue
            case UInt8(ascii: "/") where i + 1 < s.count && s[i + 1] == UInt8(ascii: "*"):
                i = skipBlockComment(s, i)
                continue
            default:
                break
            }
            // Something meaningful after a terminator: a second statement.
            if sawTerminator { return true }
            switch c {
            case UInt8(ascii: "'"):
                // E'…' strings take backslash escapes.
                let escapes = i > 0 && (s[i - 1] == UInt8(ascii: "E") || s[i - 1] == UInt8(ascii: "e"))
                i = skipQuoted(s, i, quote: c, backslashEscapes: escapes)
            case UInt8(ascii: "\""):
                i = skipQuoted(s, i, quote: c, backslashEscapes: false)
            case UInt8(ascii: "$"):
                i = skipDollarQuoted(s, i)
            default:
                i += 1
            }
        }
        return false
    }

    private static func skipLineComment(_ s: [UInt8], _ start: Int) -> Int {
        var i = start + 2
        while i < s.count && s[i] != UInt8(ascii: "\n") { i += 1 }
        return i
    }

    /// PostgreSQL block comments nest.
    private static func skipBlockComment(_ s: [UInt8], _ start: Int) -> Int {
        var depth = 1
        var i = start + 2
        while i < s.count && depth > 0 {
            if s[i] == UInt8(ascii: "/") && i + 1 < s.count && s[i + 1] == UInt8(ascii: "*") {
                depth += 1
                i += 2
            } else if s[i] == UInt8(ascii: "*") && i + 1 < s.count && s[i + 1] == UInt8(ascii: "/") {
                depth -= 1
                i += 2
            } else {
                i += 1
            }
        }
        return i
    }

    /// Past the closing quote; a doubled quote is an escaped one.
    private static func skipQuoted(_ s: [UInt8], _ start: Int, quote: UInt8, backslashEscapes: Bool) -> Int {
        var i = start + 1
        while i < s.count {
            if backslashEscapes && s[i] == UInt8(ascii: "\\") {
                i += 2
            } else if s[i] == quote {
                if i + 1 < s.count && s[i + 1] == quote { i += 2 } else { return i + 1 }
            } else {
                i += 1
            }
        }
        return i
    }

    /// `$tag$ … $tag$` (tag possibly empty); `$1` is a parameter and `a$b` an identifier,
    /// not quotes.
    private static func skipDollarQuoted(_ s: [UInt8], _ start: Int) -> Int {
        if start > 0 && isTagByte(s[start - 1]) { return start + 1 }
        var j = start + 1
        if j < s.count && isDigit(s[j]) { return j }
        while j < s.count && isTagByte(s[j]) { j += 1 }
        guard j < s.count && s[j] == UInt8(ascii: "$") else { return start + 1 }
        let tag = Array(s[start...j])
        var i = j + 1
        while i + tag.count <= s.count {
            if s[i] == UInt8(ascii: "$") && Array(s[i..<(i + tag.count)]) == tag { return i + tag.count }
            i += 1
        }
        return s.count
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private static func isTagByte(_ c: UInt8) -> Bool {
        isDigit(c) || c == UInt8(ascii: "_") || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
            || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || c >= 0x80
    }
}
