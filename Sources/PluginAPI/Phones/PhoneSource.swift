/// How much a source of phone evidence is trusted. A higher rank replaces a lower one; two
/// `observed` sources that disagree are a conflict for an operator to settle.
public enum PhoneSourceKind: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// Derived from a pattern (a flow_token like `deepal-{phone}-{uuid}`): a guess.
    case pattern = 0
    /// Seen in a message from the user or a system that talked to them (`nfm_reply`'s `from`,
    /// a Chatwoot contact, a token→phone map written when we sent the Flow).
    case observed = 1
    /// Assigned by an operator; settles conflicts.
    case manual = 2

    public static func < (a: PhoneSourceKind, b: PhoneSourceKind) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .pattern: "pattern"
        case .observed: "observed"
        case .manual: "manual"
        }
    }

    public init?(name: String) {
        guard let kind = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = kind
    }
}
