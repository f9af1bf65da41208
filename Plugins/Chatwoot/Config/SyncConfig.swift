import PluginAPI

/// `plugins.chatwoot.config.sync`: which inbound messages become Chatwoot contacts and
/// conversations, and what they carry.
///
/// ```json
/// "sync": {
///   "enabled": true,
///   "inbox_id": 3,
///   "labels": {"*": ["whatsapp"], "metaflow": ["flow-reply"]},
///   "attributes": {"channel": "last_channel", "text": "last_message", "payload.pushName": "whatsapp_name"}
/// }
/// ```
/// `labels` maps a source channel (or `*`, every channel) to the labels its messages put on the
/// conversation; `attributes` maps a field of the `message.received` event (`channel`, `phone`,
/// `text`, `media_url`, `provider_id`, `message_id`, `at`, or `payload.<path>` inside the
/// provider's message) to the contact custom attribute it is written to.
struct SyncConfig: Decodable, Sendable {
    var enabled: Bool?
    var inboxID: Int?
    var labels: [String: [String]]?
    var attributes: [String: String]?

    enum CodingKeys: String, CodingKey {
        case enabled, labels, attributes
        case inboxID = "inbox_id"
    }

    func validated(path: String) throws -> SyncSettings {
        let enabled = self.enabled ?? true
        guard let inboxID else {
            if enabled { throw ConfigError(path: "\(path).inbox_id", "required: the WhatsApp inbox conversations are opened in") }
            return SyncSettings(enabled: false, inboxID: 0, labels: [:], attributes: [])
        }
        guard inboxID > 0 else { throw ConfigError(path: "\(path).inbox_id", "expected a positive integer") }
        var labels: [String: [String]] = [:]
        for (channel, titles) in self.labels ?? [:] {
            guard channel == "*" || PluginID.isValid(channel) else {
                throw ConfigError(path: "\(path).labels.\(channel)", "expected a channel id (wasender, metaflow…) or *")
            }
            labels[channel] = try titles.enumerated().map { index, title in
                do {
                    return try LabelTitle.validated(title)
                } catch let error as LabelTitle.Invalid {
                    throw ConfigError(path: "\(path).labels.\(channel)[\(index)]", error.description)
                }
            }
        }
        var attributes: [SyncSettings.Attribute] = []
        for (field, name) in (self.attributes ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let source = SyncSettings.Field(field) else {
                throw ConfigError(path: "\(path).attributes.\(field)",
                                  "unknown event field (channel, phone, text, media_url, provider_id, message_id, at, payload.<path>)")
            }
            guard !name.isEmpty, name.utf8.count <= 64,
                  name.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "_") }) else {
                throw ConfigError(path: "\(path).attributes.\(field)", "expected an attribute key of a-z, 0-9 and _")
            }
            attributes.append(SyncSettings.Attribute(field: source, name: name))
        }
        return SyncSettings(enabled: enabled, inboxID: inboxID, labels: labels, attributes: attributes)
    }
}

/// The validated `sync` settings.
struct SyncSettings: Sendable {
    /// Where an attribute's value comes from in a `message.received` event.
    enum Field: Sendable, Equatable {
        case event(String)
        /// A dotted path inside the provider's message (`payload`, JSON).
        case payload([String])

        static let eventFields: Set<String> = ["channel", "phone", "text", "media_url", "provider_id", "message_id", "at"]

        init?(_ text: String) {
            if Self.eventFields.contains(text) {
                self = .event(text)
            } else if text.hasPrefix("payload."), case let path = text.dropFirst("payload.".count).split(separator: ".", omittingEmptySubsequences: false),
                      !path.isEmpty, !path.contains(where: \.isEmpty) {
                self = .payload(path.map(String.init))
            } else {
                return nil
            }
        }
    }

    struct Attribute: Sendable {
        var field: Field
        var name: String
    }

    var enabled: Bool
    var inboxID: Int
    /// Source channel (or `*`) → lower-cased, validated label titles.
    var labels: [String: [String]]
    var attributes: [Attribute]

    /// The labels a message from `channel` puts on its conversation (`*` first, no repeats).
    func labels(for channel: String) -> [String] {
        var out: [String] = []
        for title in (labels["*"] ?? []) + (labels[channel] ?? []) where !out.contains(title) { out.append(title) }
        return out
    }

    /// Every configured label, sorted (what `chatwoot labels sync` creates).
    var allLabels: [String] { Array(Set(labels.values.flatMap { $0 })).sorted() }
}

/// Chatwoot's rule for label titles (`app/models/label.rb`, `RegexHelper`):
/// `\A[\p{L}\p{N}]+[\p{L}\p{N}_-]+\Z`, i.e. at least two characters, letters and digits (any
/// script), `_` and `-` but not first, no spaces; Chatwoot stores titles lower-cased.
enum LabelTitle {
    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// The lower-cased title, or `Invalid` saying why Chatwoot would refuse it.
    static func validated(_ title: String) throws(Invalid) -> String {
        let lowered = title.lowercased()
        let scalars = Array(lowered.unicodeScalars)
        guard scalars.count >= 2 else { throw Invalid(description: "label \"\(title)\" is too short (Chatwoot needs at least 2 characters)") }
        guard let first = scalars.first, isLetterOrDigit(first) else {
            throw Invalid(description: "label \"\(title)\" must start with a letter or a digit")
        }
        if let bad = scalars.first(where: { !isLetterOrDigit($0) && $0 != "_" && $0 != "-" }) {
            throw Invalid(description: "label \"\(title)\" contains \"\(bad == " " ? "a space" : String(bad))\" (Chatwoot allows letters, digits, _ and -)")
        }
        return lowered
    }

    private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        let category = scalar.properties.generalCategory
        return category.isLetterCategory || [.decimalNumber, .letterNumber, .otherNumber].contains(category)
    }
}

private extension Unicode.GeneralCategory {
    var isLetterCategory: Bool {
        [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter].contains(self)
    }
}
