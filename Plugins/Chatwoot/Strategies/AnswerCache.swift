import PluginAPI

/// Remembers a flow_token's answer (a phone, or "Chatwoot knows none") for a short TTL, so a
/// subject retried on the phone schedule, or several subjects sharing a token, do not cost
/// Chatwoot calls each time. Errors are never cached: the next round asks again.
actor AnswerCache {
    enum Answer: Sendable, Equatable {
        case phone(PhoneNumber)
        case none
    }

    let ttl: ConfigDuration
    /// Beyond this many entries, expired ones are dropped on insert (bounded memory).
    let pruneAbove: Int
    private var entries: [String: (answer: Answer, expires: ContinuousClock.Instant)] = [:]
    /// Lookups under way: concurrent resolutions of one token share a single pair of calls.
    private var running: [String: Task<Answer, any Error>] = [:]

    init(ttl: ConfigDuration, pruneAbove: Int = 10_000) {
        self.ttl = ttl
        self.pruneAbove = pruneAbove
    }

    func answer(for key: String) -> Answer? {
        guard let entry = entries[key] else { return nil }
        guard entry.expires > ContinuousClock.now else {
            entries[key] = nil
            return nil
        }
        return entry.answer
    }

    /// The cached answer, or the one `lookup` finds (shared with concurrent callers of the
    /// same key, stored on success; an error is not stored).
    func answer(for key: String, lookup: @escaping @Sendable () async throws -> Answer) async throws -> Answer {
        if let cached = answer(for: key) { return cached }
        if let task = running[key] { return try await task.value }
        let task = Task { try await lookup() }
        running[key] = task
        defer { running[key] = nil }
        let found = try await task.value
        store(found, for: key)
        return found
    }

    func store(_ answer: Answer, for key: String) {
        guard ttl.milliseconds > 0 else { return }
        let now = ContinuousClock.now
        if entries.count >= pruneAbove { entries = entries.filter { $0.value.expires > now } }
        // Still full of live entries: forget everything rather than grow without bound.
        if entries.count >= pruneAbove { entries.removeAll() }
        entries[key] = (answer, now + .milliseconds(ttl.milliseconds))
    }
}
