import PluginAPI

extension JSONValue {
    /// Compact JSON text: no whitespace, object members in their stored order, strings
    /// escaped as `ErrorBody.escape` does. Non-finite doubles (which parsing never produces)
    /// are written as `null` so the output is always valid JSON.
    public func jsonText() -> String {
        var out = ""
        write(into: &out)
        return out
    }

    private func write(into out: inout String) {
        switch self {
        case .null:
            out += "null"
        case .bool(let value):
            out += value ? "true" : "false"
        case .integer(let value):
            out += String(value)
        case .double(let value):
            // Swift's shortest round-tripping form (`0.1`, `1e+20`, `100.0`) is valid JSON.
            out += value.isFinite ? "\(value)" : "null"
        case .string(let value):
            out += "\"" + ErrorBody.escape(value) + "\""
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                out += "\"" + ErrorBody.escape(member.key) + "\":"
                member.value.write(into: &out)
            }
            out += "}"
        }
    }
}
