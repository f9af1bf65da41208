import PluginAPI

/// What the text of a phone number says before any numbering plan is consulted: its digits
/// (as ASCII bytes, from any script's decimal digits) and how they were introduced.
enum PhoneInput: Equatable {
    /// `+` then digits: international.
    case plus([UInt8])
    /// A WhatsApp user id (`212610059159@c.us`, `…@s.whatsapp.net`): international digits
    /// written without the `+`.
    case whatsappUser([UInt8])
    /// Digits alone: a national number, an international one after an IDD prefix (`00`), or
    /// an international one written without anything before it.
    case dialled([UInt8])

    /// More digits than this is no phone number, however it was dialled (15 for E.164 plus the
    /// longest IDD or carrier prefixes); checked before any pattern runs.
    static let maximumDigits = 24

    /// Reads text as people, providers and spreadsheets write numbers. Separators (spaces of
    /// any kind, dashes, dots, parentheses, slashes) and invisible format characters (the
    /// left-to-right marks that copying from an Arabic interface adds) are dropped; a `+` may
    /// only come before the first digit; `tel:` and `whatsapp:` prefixes are removed.
    static func scan(_ text: String) throws(PhoneNumberError) -> PhoneInput {
        var rest = Substring(text.trimmingASCIIWhitespace())
        // A scheme starts with a letter; a number (most input) skips the comparisons.
        let startsWithLetter = rest.utf8.first.map { ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") } ?? false
        for scheme in ["whatsapp:", "tel:"] where startsWithLetter && rest.utf8.count >= scheme.utf8.count && rest.prefix(scheme.count).lowercased() == scheme {
            rest = rest.dropFirst(scheme.count)
        }
        if let at = rest.lastIndex(of: "@") {
            return try whatsappID(user: rest[..<at], domain: rest[rest.index(after: at)...].lowercased())
        }
        if isBusinessScopedUserID(rest) {
            throw PhoneNumberError(.businessScopedUserID, "a business-scoped user id hides the phone number")
        }
        return try separated(rest)
    }

    /// `user@domain`: a WhatsApp JID. Only user ids (`@c.us`, `@s.whatsapp.net`) carry a number.
    private static func whatsappID(user: Substring, domain: String) throws(PhoneNumberError) -> PhoneInput {
        switch domain {
        case "c.us", "s.whatsapp.net":
            // A linked device is `user:device@s.whatsapp.net`; the number is the user part.
            let number = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard !number.isEmpty, number.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw PhoneNumberError(.invalidCharacters, "a WhatsApp user id is digits before @\(domain)")
            }
            guard number.utf8.count <= maximumDigits else { throw tooManyDigits(number.utf8.count) }
            return .whatsappUser(Array(number.utf8))
        case "lid":
            throw PhoneNumberError(.whatsappLID, "a WhatsApp @lid id hides the phone number")
        case "g.us":
            throw PhoneNumberError(.whatsappGroup, "a WhatsApp @g.us id is a group, not a person")
        default:
            let shown = domain.count > 24 ? String(domain.prefix(24)) + "…" : domain
            throw PhoneNumberError(.invalidCharacters, "\"@\(shown)\" is not a WhatsApp user id (@c.us or @s.whatsapp.net)")
        }
    }

    /// `US.13491208655302741918`: two letters (the business's country), a dot, letters and digits.
    private static func isBusinessScopedUserID(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        guard bytes.count > 3, isLetter(bytes[0]), isLetter(bytes[1]), bytes[2] == UInt8(ascii: ".") else { return false }
        return bytes[3...].allSatisfy { isLetter($0) || isDigit($0) }
    }

    /// Digits with separators and an optional leading `+`.
    private static func separated(_ text: Substring) throws(PhoneNumberError) -> PhoneInput {
        var digits: [UInt8] = []
        var count = 0
        var plus = false
        for scalar in text.unicodeScalars {
            // ASCII digits, most of what is ever scanned, without a Unicode property lookup
            // (which was most of a stored number's parse, on `resolve`'s path).
            if scalar.value >= 0x30 && scalar.value <= 0x39 {
                count += 1
                if count <= maximumDigits { digits.append(UInt8(scalar.value)) }
                continue
            }
            let properties = scalar.properties
            if properties.numericType == .decimal, let value = properties.numericValue, value >= 0, value <= 9 {
                count += 1
                // Counted on, but not kept: a long paste must not grow memory.
                if count <= maximumDigits { digits.append(UInt8(ascii: "0") + UInt8(value)) }
            } else if scalar == "+" || scalar == "\u{FF0B}" {
                guard !plus, digits.isEmpty else {
                    throw PhoneNumberError(.invalidCharacters, "\"+\" may only come once, before the first digit")
                }
                plus = true
            } else if isSeparator(scalar) {
                continue
            } else if properties.isAlphabetic {
                throw PhoneNumberError(.letters, "letters are not part of a phone number")
            } else {
                throw PhoneNumberError(.invalidCharacters, "unexpected \(describe(scalar))")
            }
        }
        guard count <= maximumDigits else { throw tooManyDigits(count) }
        guard !digits.isEmpty else {
            if plus { throw PhoneNumberError(.tooShort, "no digits after \"+\"") }
            throw PhoneNumberError(.empty, "no digits")
        }
        return plus ? .plus(digits) : .dialled(digits)
    }

    /// Spaces of any kind, dashes of any kind, `.`, `(`, `)`, `/` (and their full-width forms),
    /// and invisible format characters (bidi marks, zero-width spaces, soft hyphens).
    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ".", "(", ")", "/", "\u{FF08}", "\u{FF09}", "\u{FF0E}", "\u{FF0F}": return true
        default:
            let properties = scalar.properties
            return properties.isWhitespace || properties.generalCategory == .dashPunctuation
                || properties.generalCategory == .format
        }
    }

    /// A rejected character as the message shows it: itself when printable ASCII, else `U+XXXX`.
    private static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar.value > 0x20 && scalar.value < 0x7F { return "\"\(Character(scalar))\"" }
        return "U+" + scalar.value.zeroPadded(4, radix: 16).uppercased()
    }

    static func tooManyDigits(_ count: Int) -> PhoneNumberError {
        PhoneNumberError(.tooLong, "E.164 allows at most 15 digits, got \(count)")
    }
}
