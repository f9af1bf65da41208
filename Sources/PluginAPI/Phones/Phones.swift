/// `context.phones`: normalising numbers, and tying subjects (a survey response, a call) to a
/// phone through evidence and the registered strategies.
///
/// A subject is a string owned by the plugin that names it first (`metaflow/response/42`).
/// When its phone is found or changes, `phone.resolved` is published with
/// `{"subject", "phone", "source", "source_kind", "previous_phone"}`; the owner updates its
/// record from that event. `phone.conflict` and `phone.unresolved` are published likewise.
/// The operator's queries (report, review queues, assignment) are `PhoneReview`'s.
public protocol Phones: PhoneNormalizing, PhoneReview {
    /// Registers `subject` under `key` (once; later calls return the stored state) and runs a
    /// resolution round now: the evidence already learned, then each strategy in order. A miss
    /// leaves it `pending`, retried on `phone.retry_schedule`.
    func resolve(key: PhoneKey, subject: String) async throws -> PhoneResolution

    /// Registers `subject` under `key` in the caller's transaction and resolves it at once
    /// from evidence already learned; otherwise a resolution job is enqueued there (durable:
    /// it exists exactly when the caller's change does). `label` (at most 128 bytes) is a tag
    /// reports can filter on (MetaFlow: the flow's name); it is kept from the first call.
    @discardableResult
    func track(key: PhoneKey, subject: String, label: String?, in connection: any SQLConnection) throws -> PhoneResolution

    /// Stores evidence that `key` belongs to `phone` and resolves every subject of the key, and
    /// of keys linked to it, in the caller's transaction. Evidence for a key with no subject
    /// yet is kept and used when one appears.
    @discardableResult
    func learn(key: PhoneKey, phone: PhoneNumber, source: String, kind: PhoneSourceKind, note: String?,
               in connection: any SQLConnection) throws -> PhoneLearnResult

    /// Links two keys (a wamid and the flow_token it carried): evidence for either counts for
    /// the subjects of both. In the caller's transaction.
    func link(_ key: PhoneKey, _ other: PhoneKey, in connection: any SQLConnection) throws

    /// The subject's state, or nil when it was never registered.
    func resolution(subject: String) async throws -> PhoneResolution?
}

extension Phones {
    /// `track` without a label.
    @discardableResult
    public func track(key: PhoneKey, subject: String, in connection: any SQLConnection) throws -> PhoneResolution {
        try track(key: key, subject: subject, label: nil, in: connection)
    }

    /// `learn` of observed evidence without a note.
    @discardableResult
    public func learn(key: PhoneKey, phone: PhoneNumber, source: String, in connection: any SQLConnection) throws -> PhoneLearnResult {
        try learn(key: key, phone: phone, source: source, kind: .observed, note: nil, in: connection)
    }
}

/// A call to `phones` that cannot be carried out: a bad key or subject, an unknown source.
public struct PhoneError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
