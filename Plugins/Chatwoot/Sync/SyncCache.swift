import PluginAPI

/// What CRM sync remembers for `ttl`, so the next message from a phone costs few or no calls:
/// the phone's contact and conversation ids, the labels known to be on a conversation, and the
/// custom attribute values last written to a contact.
actor SyncCache {
    struct Entry: Sendable {
        var contactID: Int?
        var conversationID: Int?
        /// Labels known to be on the conversation (read or written by us within the TTL).
        var labels: Set<String>?
        /// Attribute values known to be on the contact.
        var attributes: [String: JSONValue] = [:]
        var expires: ContinuousClock.Instant
    }

    let ttl: ConfigDuration
    private var entries: [String: Entry] = [:]

    init(ttl: ConfigDuration) { self.ttl = ttl }

    func entry(_ phone: String) -> Entry? {
        guard let entry = entries[phone], entry.expires > ContinuousClock.now else {
            entries[phone] = nil
            return nil
        }
        return entry
    }

    func update(_ phone: String, _ change: @Sendable (inout Entry) -> Void) {
        guard ttl.milliseconds > 0 else { return }
        let now = ContinuousClock.now
        if entries.count >= 10_000 { entries = entries.filter { $0.value.expires > now } }
        if entries.count >= 10_000 { entries.removeAll() }
        var entry = entry(phone) ?? Entry(expires: now + .milliseconds(ttl.milliseconds))
        change(&entry)
        entries[phone] = entry
    }

    func forget(_ phone: String) { entries[phone] = nil }
}
