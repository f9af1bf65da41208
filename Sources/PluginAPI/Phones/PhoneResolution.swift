/// Where a subject's phone stands.
public enum PhoneResolutionStatus: String, Sendable, CaseIterable {
    /// No phone yet; retried on `phone.retry_schedule`.
    case pending
    /// Has a phone from the best evidence.
    case resolved
    /// Every retry missed; listed for review (a late `learn` still resolves it).
    case unresolved
    /// Has a phone (the first observed) but another observed source disagreed; flagged for review.
    case conflict
}

/// A subject's phone and how it was found.
public struct PhoneResolution: Sendable, Equatable {
    public var subject: String
    public var key: PhoneKey
    public var status: PhoneResolutionStatus
    public var phone: PhoneNumber?
    /// The source of `phone` (`evidence` sources keep their own name: `metaflow.nfm_reply`).
    public var source: String?
    public var sourceKind: PhoneSourceKind?
    /// Resolution rounds run so far (the first, then each retry).
    public var rounds: Int
    /// Unix milliseconds.
    public var createdAt: Int64
    public var updatedAt: Int64
    public var resolvedAt: Int64?
    /// When the next retry is due, while pending.
    public var nextAttemptAt: Int64?
    /// The label given when it was tracked (MetaFlow: the flow's name), if any.
    public var label: String?

    public init(subject: String, key: PhoneKey, status: PhoneResolutionStatus, phone: PhoneNumber?, source: String?,
                sourceKind: PhoneSourceKind?, rounds: Int, createdAt: Int64, updatedAt: Int64, resolvedAt: Int64?,
                nextAttemptAt: Int64?, label: String? = nil) {
        self.subject = subject
        self.key = key
        self.status = status
        self.phone = phone
        self.source = source
        self.sourceKind = sourceKind
        self.rounds = rounds
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.resolvedAt = resolvedAt
        self.nextAttemptAt = nextAttemptAt
        self.label = label
    }
}

/// What one `learn` changed.
public struct PhoneLearnResult: Sendable, Equatable {
    /// Subjects that got a phone, or a different one (a pattern replaced, an operator's assignment).
    public var resolved: [String]
    /// Subjects flagged for review because two observed sources disagree.
    public var conflicts: [String]
    /// False when the same key, phone and source were already known.
    public var isNew: Bool

    public init(resolved: [String], conflicts: [String], isNew: Bool) {
        self.resolved = resolved
        self.conflicts = conflicts
        self.isNew = isNew
    }
}
