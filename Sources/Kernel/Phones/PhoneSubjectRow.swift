import PluginAPI

/// A row of `switchboard_phone_subjects` with its key, as the service reads it.
struct PhoneSubjectRow {
    static let columns = """
    s.id, s.subject, s.key_id, s.status, s.phone, s.source, s.rank, s.rounds, s.next_attempt_at, s.created_at, s.updated_at,
    s.resolved_at, s.label, k.kind, k.value, k.group_id
    """
    static let bySubject = "SELECT \(columns) FROM switchboard_phone_subjects s JOIN switchboard_phone_keys k ON k.id = s.key_id WHERE s.subject = $1"
    static let byID = "SELECT \(columns) FROM switchboard_phone_subjects s JOIN switchboard_phone_keys k ON k.id = s.key_id WHERE s.id = $1"
    /// In id order, so concurrent transactions settling one group lock its rows in the same order (no deadlock).
    static let inGroup = "SELECT \(columns) FROM switchboard_phone_subjects s JOIN switchboard_phone_keys k ON k.id = s.key_id WHERE k.group_id = $1 ORDER BY s.id"

    var id: Int64
    var subject: String
    var keyID: Int64
    var group: Int64
    var key: PhoneKey
    var status: PhoneResolutionStatus
    var phone: String?
    var source: String?
    var rank: PhoneSourceKind?
    var rounds: Int
    var nextAttemptAt: Int64?
    var createdAt: Int64
    var updatedAt: Int64
    var resolvedAt: Int64?
    var label: String?

    /// A subject just inserted: pending, no phone.
    init(newID id: Int64, subject: String, key: PhoneKey, stored: StoredPhoneKey, rounds: Int, now: Int64, label: String?) {
        self.label = label
        self.id = id
        self.subject = subject
        keyID = stored.id
        group = stored.group
        self.key = key
        status = .pending
        self.rounds = rounds
        createdAt = now
        updatedAt = now
    }

    init(_ row: Row) throws {
        id = try row.int("id")
        subject = try row.string("subject")
        keyID = try row.int("key_id")
        group = try row.int("group_id")
        let kindName = try row.string("kind")
        guard let kind = PhoneKey.Kind(rawValue: kindName) else { throw StorageError(.schema, "unknown phone key kind \(kindName)") }
        key = PhoneKey(kind, try row.string("value"))
        let statusName = try row.string("status")
        guard let status = PhoneResolutionStatus(rawValue: statusName) else { throw StorageError(.schema, "unknown phone status \(statusName)") }
        self.status = status
        phone = try row.optionalString("phone")
        source = try row.optionalString("source")
        rank = try row.optionalInt("rank").flatMap { PhoneSourceKind(rawValue: Int($0)) }
        rounds = Int(try row.int("rounds"))
        nextAttemptAt = try row.optionalInt("next_attempt_at")
        createdAt = try row.int("created_at")
        updatedAt = try row.int("updated_at")
        resolvedAt = try row.optionalInt("resolved_at")
        label = try row.optionalString("label")
    }

    static func load(subject: String, in db: any SQLConnection) throws -> PhoneSubjectRow? {
        try db.query(bySubject, [.text(subject)]).first.map(PhoneSubjectRow.init)
    }

    static func load(id: Int64, in db: any SQLConnection) throws -> PhoneSubjectRow? {
        try db.query(byID, [.integer(id)]).first.map(PhoneSubjectRow.init)
    }

    /// The public view; `normalizer` rebuilds the stored E.164 text.
    func resolution(_ normalizer: E164Normalizer) throws -> PhoneResolution {
        var number: PhoneNumber?
        if let phone {
            do {
                number = try normalizer.normalize(phone, region: nil)
            } catch {
                throw StorageError(.schema, "stored phone of subject \(id) is not E.164 (\(error.reason.rawValue))")
            }
        }
        return PhoneResolution(subject: subject, key: key, status: status, phone: number, source: source, sourceKind: rank,
                               rounds: rounds, createdAt: createdAt, updatedAt: updatedAt, resolvedAt: resolvedAt,
                               nextAttemptAt: status == .pending ? nextAttemptAt : nil, label: label)
    }
}
