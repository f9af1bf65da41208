import PluginAPI

/// The rows of a bulk send: CSV (`phone_number,customer_name`, an optional header line,
/// RFC 4180 quoting) or a JSON array of `{"phone_number", "customer_name"?}` objects (the
/// seeds' camelCase too). Each row keeps its line number (CSV) or 1-based position (JSON),
/// which is how skipped rows are reported.
struct BulkInput: Sendable {
    struct Row: Sendable {
        var line: Int
        var phone: String
        var name: String?
    }

    var rows: [Row]

    init(body: [UInt8], contentType: String?) throws(SendError) {
        let first = body.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0a && $0 != 0x0d && $0 != 0xef && $0 != 0xbb && $0 != 0xbf }
        if contentType?.lowercased().contains("json") == true || first == UInt8(ascii: "[") {
            rows = try Self.json(body)
        } else {
            rows = Self.csv(String(decoding: body, as: UTF8.self))
        }
    }

    /// The JSON form. A row without a phone is skipped and reported like a bad number, but a
    /// row that is not an object, or a member of the wrong type, refuses the whole body (400),
    /// as `POST /metaflow/send` refuses it: that is a client bug, not a bad spreadsheet line.
    private static func json(_ body: [UInt8]) throws(SendError) -> [Row] {
        guard case .array(let items)? = try? JSONText.decode(JSONValue.self, from: body) else {
            throw SendError(400, "invalid_json", "a JSON bulk body must be an array of {\"phone_number\", \"customer_name\"} objects")
        }
        var rows: [Row] = []
        for (index, item) in items.enumerated() {
            guard let object = item.objectValue else {
                throw SendError(400, "invalid_json", "row \(index + 1): expected an object {\"phone_number\", \"customer_name\"}")
            }
            let phone: String
            switch SendRequest.phoneKeys.lazy.compactMap({ object[$0] }).first {
            case .string(let text)?: phone = text
            case .integer(let number)?: phone = String(number)
            case nil, .null?: phone = ""
            default: throw SendError(400, "invalid_phone_number", "row \(index + 1): phone_number must be a string or an integer")
            }
            var name: String?
            switch SendRequest.nameKeys.lazy.compactMap({ object[$0] }).first {
            case .string(let text)?: name = text
            case nil, .null?: name = nil
            default: throw SendError(400, "invalid_customer_name", "row \(index + 1): customer_name must be a string")
            }
            rows.append(Row(line: index + 1, phone: phone, name: name))
        }
        return rows
    }

    /// CSV records with the line each starts on; blank lines skipped; a first record whose
    /// first field names the phone column is the header.
    static func csv(_ text: String) -> [Row] {
        var rows: [Row] = []
        var first = true
        for (line, fields) in records(text) {
            guard fields.contains(where: { !$0.trimmingASCIIWhitespace().isEmpty }) else { continue }
            let phone = fields[0].trimmingASCIIWhitespace()
            defer { first = false }
            if first, ["phone_number", "phonenumber", "phone"].contains(phone.lowercased()) { continue }
            let name = fields.count > 1 ? fields[1].trimmingASCIIWhitespace() : ""
            rows.append(Row(line: line, phone: phone, name: name.isEmpty ? nil : name))
        }
        return rows
    }

    /// RFC 4180 records: fields split on commas, `"…"` quoting with `""` for a quote, quoted
    /// newlines kept; each record with the line it starts on.
    static func records(_ text: String) -> [(Int, [String])] {
        var out: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var start = 1
        var chars = Array(text.unicodeScalars)[...]
        if chars.first == "\u{FEFF}" { chars = chars.dropFirst() }
        func endRecord() {
            fields.append(field)
            out.append((start, fields))
            fields = []
            field = ""
        }
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append("\""); chars = chars.dropFirst() } else { quoted = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty: quoted = true
            case ",": fields.append(field); field = ""
            case "\r": continue
            case "\n":
                endRecord()
                line += 1
                start = line
            default: field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return out
    }
}
