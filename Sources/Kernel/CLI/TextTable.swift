/// Plain-text output for operators: aligned columns, and text made safe for a terminal.
struct TextTable {
    let headers: [String]
    private(set) var rows: [[String]] = []

    init(_ headers: [String]) { self.headers = headers }

    /// Adds a row; cells are made terminal-safe and kept on one line.
    mutating func add(_ cells: [String]) {
        rows.append(cells.map { TextTable.safe($0, multiline: false) })
    }

    /// The table: a header line, then one line per row; every column but the last padded
    /// to its widest cell, two spaces apart.
    var rendered: String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[column] - cell.count))
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `text` with control characters shown as `\u{1b}`-style escapes, so stored data (a
    /// dedupe key, a body) cannot move the cursor or recolour the operator's terminal. Keeps
    /// newlines and tabs when `multiline`; otherwise newlines become `\n`.
    static func safe(_ text: String, multiline: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if multiline && (scalar == "\n" || scalar == "\t") {
                out.unicodeScalars.append(scalar)
            } else if scalar == "\n" {
                out += "\\n"
            } else if v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v) {
                out += "\\u{" + String(v, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` on one line, cut to `limit` characters with `…`.
    static func short(_ text: String?, limit: Int = 60) -> String {
        guard let text else { return "-" }
        let line = safe(text, multiline: false)
        return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
    }

    /// `text` padded with spaces to `width` characters (never cut).
    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
