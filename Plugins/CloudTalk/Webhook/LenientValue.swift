import PluginAPI

/// CloudTalk renders a workflow's template with whatever types the admin wrote: a value may
/// arrive as a string, a JSON number (`212600000001`, no `+`), a boolean, an empty string (a
/// contact that does not exist) or `"[object Object]"` (an object the template could not
/// print). These read one value as text, with "nothing there" as nil.
enum LenientValue {
    /// Text of a scalar: strings trimmed, integral numbers without a fraction, booleans as
    /// `true`/`false`; nil for null, empty, `[object Object]`, `null`/`undefined` (JavaScript's
    /// renderings of nothing) and objects. An array of scalars (or of `{name}`/`{label}`
    /// objects) is joined with `, ` (tags).
    static func text(_ value: JSONDocument?) -> String? {
        switch value {
        case .string(let string)?:
            let trimmed = string.trimmingASCIIWhitespace()
            guard !trimmed.isEmpty, !["[object Object]", "null", "undefined"].contains(trimmed) else { return nil }
            return trimmed
        case .integer(let n)?:
            return String(n)
        case .double(let d)?:
            if d.isFinite, d == d.rounded(), abs(d) < 1e18 { return String(Int64(d)) }
            return String(d)
        case .bool(let b)?:
            return b ? "true" : "false"
        case .array(let items)?:
            let texts = items.compactMap { item -> String? in
                if let object = item.objectValue { return text(object["name"]) ?? text(object["label"]) }
                return text(item)
            }
            return texts.isEmpty ? nil : texts.joined(separator: ", ")
        case .object?, .null?, nil:
            return nil
        }
    }

    /// A whole number of seconds: `"233"`, `233`, `233.0`; nil otherwise or when negative.
    static func seconds(_ value: JSONDocument?) -> Int64? {
        guard let text = text(value) else { return nil }
        if let n = Int64(text), n >= 0 { return n }
        if let d = Double(text), d.isFinite, d >= 0, d < 1e12 { return Int64(d.rounded()) }
        return nil
    }

    /// `true`/`false`, `1`/`0`, `yes`/`no`.
    static func bool(_ value: JSONDocument?) -> Bool? {
        switch text(value)?.lowercased() {
        case "true", "1", "yes": true
        case "false", "0", "no": false
        default: nil
        }
    }
}
