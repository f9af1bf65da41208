import PluginAPI

/// Serialises the creating part of CRM sync for one phone across instances. `KeyedLock`
/// orders syncs within a process; two instances could still each find no conversation and
/// each create one (Chatwoot has no uniqueness for conversations). So a sync that may create
/// (the contact or the conversation is not cached) first takes the phone's lease: a row held
/// by one instance until it is released, or until `duration` passed (an instance that died
/// holding it). A sync that cannot take it is snoozed and tried again shortly; by then the
/// first has created what was missing, and the second finds it.
struct SyncLease: Sendable {
    /// Longer than a sync takes: five calls within the client's timeouts and retries.
    static let duration: Int64 = 120_000

    let store: any Store
    let clock: any TimeSource
    /// This instance (random, per process).
    let holder: String

    /// Whether this instance now holds `phone`'s lease (taken anew, or renewed).
    func acquire(_ phone: String) async throws -> Bool {
        let (holder, now) = (self.holder, clock.nowMillis)
        return try await store.write { db in
            try !db.query(ChatwootSQL.takeLease, phone, holder, now + Self.duration, now).isEmpty
        }
    }

    func release(_ phone: String) async throws {
        let holder = self.holder
        try await store.write { db in _ = try db.execute(ChatwootSQL.releaseLease, phone, holder) }
    }
}
