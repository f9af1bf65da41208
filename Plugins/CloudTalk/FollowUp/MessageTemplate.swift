import PluginAPI

/// A follow-up text with `{placeholders}` naming call fields: `Ciao, sono {agent_name}…`.
///
/// Parsed once at boot, so a malformed template (an unclosed `{`, a name that is not
/// lower-case snake case) is a config error. A placeholder whose field a call lacks is found
/// only when rendering: `render` throws `MissingField` and the follow-up fails; a placeholder is
/// never sent as it is written. `{{` and `}}` write literal braces.
struct MessageTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        case field(String)
    }

    let parts: [Part]

    /// Why a template cannot be parsed; `offset` counts characters from the start.
    struct SyntaxError: Error, CustomStringConvertible {
        var offset: Int
        var detail: String
        init(offset: Int, _ detail: String) {
            self.offset = offset
            self.detail = detail
        }
        var description: String { "\(detail) (at character \(offset + 1))" }
    }

    /// A placeholder the call has no value for.
    struct MissingField: Error, CustomStringConvertible {
        var names: [String]
        var description: String {
            "the template's " + names.map { "{\($0)}" }.joined(separator: ", ") + (names.count == 1 ? " has" : " have")
                + " no value for this call (a field of neither the webhook nor the CloudTalk API)"
        }
    }

    init(parsing source: String) throws(SyntaxError) {
        var parts: [Part] = []
        var text = ""
        let characters = Array(source)
        var i = 0
        while i < characters.count {
            let c = characters[i]
            let next = i + 1 < characters.count ? characters[i + 1] : nil
            if c == "{", next == "{" {
                text.append("{")
                i += 2
            } else if c == "}", next == "}" {
                text.append("}")
                i += 2
            } else if c == "{" {
                guard let close = characters[(i + 1)...].firstIndex(of: "}") else {
                    throw SyntaxError(offset: i, "unclosed placeholder: { without } (write {{ for a literal brace)")
                }
                let name = String(characters[(i + 1)..<close])
                guard Self.isFieldName(name) else {
                    throw SyntaxError(offset: i, "placeholder {\(name)}: names are lower-case letters, digits and _ (like {agent_name})")
                }
                if !text.isEmpty { parts.append(.text(text)) }
                text = ""
                parts.append(.field(name))
                i = close + 1
            } else if c == "}" {
                throw SyntaxError(offset: i, "} without { (write }} for a literal brace)")
            } else {
                text.append(c)
                i += 1
            }
        }
        if !text.isEmpty { parts.append(.text(text)) }
        self.parts = parts
    }

    /// `[a-z][a-z0-9_]{0,63}`.
    static func isFieldName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z"), name.utf8.count <= 64 else { return false }
        return name.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_") }
    }

    /// The placeholders, in order of first use.
    var fieldNames: [String] {
        var seen: [String] = []
        for case .field(let name) in parts where !seen.contains(name) { seen.append(name) }
        return seen
    }

    /// True when the template would send only whitespace.
    var isBlank: Bool {
        parts.allSatisfy { if case .text(let text) = $0 { text.trimmingASCIIWhitespace().isEmpty } else { false } }
    }

    /// The text with every placeholder replaced; throws naming every placeholder without a value.
    func render(_ fields: [String: String]) throws(MissingField) -> String {
        var out = ""
        var missing: [String] = []
        for part in parts {
            switch part {
            case .text(let text): out += text
            case .field(let name):
                if let value = fields[name], !value.isEmpty { out += value } else if !missing.contains(name) { missing.append(name) }
            }
        }
        guard missing.isEmpty else { throw MissingField(names: missing) }
        return out
    }
}
