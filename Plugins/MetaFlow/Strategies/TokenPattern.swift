/// A flow_token shape that carries the phone, like `deepal-{phone}-{uuid}` (`token_pattern`).
///
/// Placeholders: `{phone}` (digits, an optional leading `+`), `{uuid}` (hex digits and `-`)
/// and `{any}` (anything, as little as possible); every other character must match itself.
/// Exactly one `{phone}`. Matching is anchored at both ends and needs no regex engine.
struct TokenPattern: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case literal(String)
        case phone
        case uuid
        case any
    }

    let parts: [Part]

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    init(_ text: String) throws(Invalid) {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { throw Invalid(description: "unclosed { in the pattern") }
            let name = rest[rest.index(after: open)..<close]
            let part: Part
            switch name {
            case "phone": part = .phone
            case "uuid": part = .uuid
            case "any": part = .any
            default: throw Invalid(description: "unknown placeholder {\(name)} (known: {phone}, {uuid}, {any})")
            }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
            // Without a separator the split between two placeholders would be a guess.
            if let last = parts.last, Self.isPlaceholder(last) {
                throw Invalid(description: "two placeholders in a row need a separator between them")
            }
            parts.append(part)
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { parts.append(.literal(literal)) }
        guard parts.filter({ $0 == .phone }).count == 1 else { throw Invalid(description: "the pattern needs exactly one {phone}") }
        self.parts = parts
    }

    private static func isPlaceholder(_ part: Part) -> Bool {
        if case .literal = part { return false }
        return true
    }

    /// The `{phone}` text of `token`, or nil when the token does not have this shape.
    func phone(in token: String) -> String? {
        var found: String?
        return match(parts[...], Substring(token), phone: &found) ? found : nil
    }

    private func match(_ parts: ArraySlice<Part>, _ text: Substring, phone: inout String?) -> Bool {
        guard let part = parts.first else { return text.isEmpty }
        let rest = parts.dropFirst()
        switch part {
        case .literal(let literal):
            guard text.hasPrefix(literal) else { return false }
            return match(rest, text.dropFirst(literal.count), phone: &phone)
        case .phone, .uuid, .any:
            // Try each length (shortest first); backtracking stays small since tokens are short.
            var end = text.startIndex
            while true {
                let candidate = text[text.startIndex..<end]
                if !candidate.isEmpty && Self.accepts(part, candidate) {
                    var captured = phone
                    if part == .phone { captured = String(candidate) }
                    if match(rest, text[end...], phone: &captured) {
                        phone = captured
                        return true
                    }
                }
                guard end < text.endIndex else { return false }
                end = text.index(after: end)
                if !Self.canGrow(part, text[text.startIndex..<end]) { return false }
            }
        }
    }

    /// Whether `text` can still begin a longer match of `part` (a lone `+` can begin a phone).
    private static func canGrow(_ part: Part, _ text: Substring) -> Bool {
        part == .phone && text == "+" ? true : part == .any || accepts(part, text)
    }

    private static func accepts(_ part: Part, _ text: Substring) -> Bool {
        switch part {
        case .phone:
            let digits = text.hasPrefix("+") ? text.dropFirst() : text
            return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
        case .uuid:
            return text.allSatisfy { $0 == "-" || $0.isHexDigit }
        case .any:
            return true
        case .literal:
            return false
        }
    }
}
