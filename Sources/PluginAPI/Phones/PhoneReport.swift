/// The capture-rate report: how many subjects have a phone, by status, source and day. What
/// `switchboard phones report`, `/api/admin/phones/report` and the Integrity plugin show.
public struct PhoneReport: Sendable, Equatable {
    /// Resolved subjects by the source of their phone.
    public struct SourceCount: Sendable, Equatable {
        public var source: String
        public var kind: PhoneSourceKind
        public var subjects: Int64
        public init(source: String, kind: PhoneSourceKind, subjects: Int64) {
            self.source = source
            self.kind = kind
            self.subjects = subjects
        }
    }

    /// Subjects created on one UTC day and how many of them are resolved now.
    public struct DayCount: Sendable, Equatable {
        /// `YYYY-MM-DD`, UTC, of the subjects' creation.
        public var day: String
        public var subjects: Int64
        public var resolved: Int64
        public init(day: String, subjects: Int64, resolved: Int64) {
            self.day = day
            self.subjects = subjects
            self.resolved = resolved
        }
    }

    public var counts: [PhoneResolutionStatus: Int64]
    public var bySource: [SourceCount]
    public var byDay: [DayCount]

    public init(counts: [PhoneResolutionStatus: Int64], bySource: [SourceCount], byDay: [DayCount]) {
        self.counts = counts
        self.bySource = bySource
        self.byDay = byDay
    }

    public var total: Int64 { counts.values.reduce(0, +) }
    public func count(_ status: PhoneResolutionStatus) -> Int64 { counts[status] ?? 0 }

    /// `part ÷ whole`; nil when `whole` is 0.
    public static func rate(_ part: Int64, of whole: Int64) -> Double? { whole == 0 ? nil : Double(part) / Double(whole) }

    /// Resolved ÷ all subjects; nil when there are none. A subject in conflict has a phone but
    /// waits for review, so it does not count as captured.
    public var captureRate: Double? { Self.rate(count(.resolved), of: total) }
}

/// Which subjects a report or a listing covers.
public struct PhoneSubjectScope: Sendable, Equatable {
    /// Subjects created at or after this time (Unix milliseconds); nil: all.
    public var since: Int64?
    /// Subjects registered with this label (`track(…, label:)`; MetaFlow labels a response's
    /// subject with its flow name); nil: all.
    public var label: String?

    public init(since: Int64? = nil, label: String? = nil) {
        self.since = since
        self.label = label
    }
}

/// A page of subjects, in id order.
public struct PhoneSubjectPage: Sendable, Equatable {
    /// One subject and its row id (the paging cursor).
    public struct Entry: Sendable, Equatable {
        public var id: Int64
        public var resolution: PhoneResolution
        public init(id: Int64, resolution: PhoneResolution) {
            self.id = id
            self.resolution = resolution
        }
    }

    public var items: [Entry]
    /// The cursor (`after`) of the next page; nil on the last one.
    public var next: Int64?

    public init(items: [Entry], next: Int64?) {
        self.items = items
        self.next = next
    }
}

/// One subject with everything tried to find its phone: its linked keys, every strategy
/// attempt and the sources that disagreed.
public struct PhoneSubjectHistory: Sendable, Equatable {
    public struct Attempt: Sendable, Equatable {
        public var round: Int64
        public var strategy: String
        /// `hit`, `miss`, `error` or `timeout`.
        public var outcome: String
        public var latencyMicros: Int64
        public var detail: String?
        /// Unix milliseconds.
        public var at: Int64
        public init(round: Int64, strategy: String, outcome: String, latencyMicros: Int64, detail: String?, at: Int64) {
            self.round = round
            self.strategy = strategy
            self.outcome = outcome
            self.latencyMicros = latencyMicros
            self.detail = detail
            self.at = at
        }
    }

    public struct Disagreement: Sendable, Equatable {
        /// `conflict` or `pattern_replaced`.
        public var kind: String
        public var keptPhone: String
        public var keptSource: String
        public var otherPhone: String
        public var otherSource: String
        public var at: Int64
        public init(kind: String, keptPhone: String, keptSource: String, otherPhone: String, otherSource: String, at: Int64) {
            self.kind = kind
            self.keptPhone = keptPhone
            self.keptSource = keptSource
            self.otherPhone = otherPhone
            self.otherSource = otherSource
            self.at = at
        }
    }

    public var subject: PhoneSubjectPage.Entry
    public var linkedKeys: [PhoneKey]
    public var attempts: [Attempt]
    public var disagreements: [Disagreement]

    public init(subject: PhoneSubjectPage.Entry, linkedKeys: [PhoneKey], attempts: [Attempt], disagreements: [Disagreement]) {
        self.subject = subject
        self.linkedKeys = linkedKeys
        self.attempts = attempts
        self.disagreements = disagreements
    }
}
