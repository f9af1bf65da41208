/// What a phone-resolution strategy is asked: the key a subject was registered with, the keys
/// linked to it, and which resolution round this is (1 for the first, then each retry).
public struct PhoneLookup: Sendable {
    public let key: PhoneKey
    /// Every key linked to `key` (including `key`), so a strategy can search by whichever it knows.
    public let linkedKeys: [PhoneKey]
    public let subject: String
    public let round: Int

    public init(key: PhoneKey, linkedKeys: [PhoneKey], subject: String, round: Int) {
        self.key = key
        self.linkedKeys = linkedKeys
        self.subject = subject
        self.round = round
    }
}

/// Finds a subject's phone: the number, or nil when this strategy knows none. A thrown error
/// (or running past the timeout) counts as a miss and the next strategy runs. A strategy
/// never needs to store its answer: the kernel keeps a hit as evidence for the key.
public typealias PhoneStrategyHandler = @Sendable (PhoneLookup) async throws -> PhoneNumber?
