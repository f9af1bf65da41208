import PluginAPI

/// The responses as CSV for spreadsheets: UTF-8 with a byte-order mark (so Excel reads
/// accents and emoji right), fixed columns, then one column per answer key (sorted); RFC 4180
/// quoting; arrays joined with `; `, other non-strings as JSON.
enum ResponseCSV {
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    static let fixed = ["id", "flow", "flow_token", "phone_number", "phone_source", "status", "created_at", "completed_at"]

    static func render(_ records: [ResponseListing.Record]) throws -> [UInt8] {
        let keys = Set(records.flatMap { $0.answers.keys }).sorted()
        var lines = [(fixed + keys).map(field).joined(separator: ",")]
        for record in records {
            let fixedValues = ["\(record.id)", record.flow, record.token, record.phone ?? "", record.phoneSource ?? "", record.status,
                               ResponseListing.timestamp(record.createdAt).stringValue ?? "",
                               ResponseListing.timestamp(record.completedAt).stringValue ?? ""]
            let answers = try keys.map { key in try record.answers[key].map(text) ?? "" }
            lines.append((fixedValues + answers).map(field).joined(separator: ","))
        }
        return bom + Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// An answer as a cell's text.
    static func text(_ value: JSONValue) throws -> String {
        switch value {
        case .null: return ""
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .integer(let number): return "\(number)"
        case .array(let items): return try items.map(text).joined(separator: "; ")
        case .double, .object: return try JSONText.string(value)
        }
    }

    /// Quoted when it holds a comma, a quote or a line break; a leading `=`, `+`, `-` or `@` is
    /// prefixed with `'` so a spreadsheet never runs an answer as a formula.
    static func field(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@".contains(first), !(first == "+" && text.dropFirst().allSatisfy(\.isNumber)) {
            text = "'" + text
        }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingLiteral("\"", with: "\"\"") + "\""
    }
}
