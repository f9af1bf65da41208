/// What we know about a subject that leads to its phone: a Flow's `flow_token`, the wamid a
/// reply refers to, a business-scoped user id, a conversation id, or a plugin's own kind of
/// key (`custom`, value namespaced by the plugin: `cloudtalk:call:991`).
///
/// Keys can be linked (`phones.link`): evidence for one key of a linked group counts for every
/// subject of the group (a wamid linked to the flow_token it carried when we sent it).
public struct PhoneKey: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case flowToken = "flow_token"
        case waMessageID = "wa_message_id"
        case bsuid
        case conversation
        case custom
    }

    public let kind: Kind
    public let value: String

    /// The longest key value accepted (a BSUID is at most 131 characters; a flow_token is ours).
    public static let maxValueLength = 512

    public init(_ kind: Kind, _ value: String) {
        self.kind = kind
        self.value = value
    }

    public static func flowToken(_ value: String) -> PhoneKey { PhoneKey(.flowToken, value) }
    public static func waMessageID(_ value: String) -> PhoneKey { PhoneKey(.waMessageID, value) }
    public static func bsuid(_ value: String) -> PhoneKey { PhoneKey(.bsuid, value) }
    public static func conversation(_ value: String) -> PhoneKey { PhoneKey(.conversation, value) }
    public static func custom(_ value: String) -> PhoneKey { PhoneKey(.custom, value) }

    /// `kind:value` (`flow_token:abc`), the form the CLI and the admin API use.
    public var description: String { "\(kind.rawValue):\(value)" }

    /// Parses `kind:value`; nil when the kind is unknown or the value empty.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])) else { return nil }
        let value = String(text[text.index(after: colon)...])
        guard !value.isEmpty else { return nil }
        self.init(kind, value)
    }

    /// Why the key cannot be used, or nil when it can.
    public var problem: String? {
        if value.isEmpty { return "a \(kind.rawValue) key needs a value" }
        if value.utf8.count > Self.maxValueLength { return "a \(kind.rawValue) key is longer than \(Self.maxValueLength) bytes" }
        return nil
    }
}
