import PluginAPI

/// A stored key: its row id and the group of linked keys it belongs to.
struct StoredPhoneKey: Equatable {
    let id: Int64
    let group: Int64
}

/// The key table: keys are created on first use and linked by merging their groups.
enum PhoneKeys {
    static let find = "SELECT id, group_id FROM switchboard_phone_keys WHERE kind = $1 AND value = $2"
    static let insert = """
    INSERT INTO switchboard_phone_keys (kind, value, group_id, created_at) VALUES ($1, $2, 0, $3)
    ON CONFLICT (kind, value) DO NOTHING RETURNING id
    """
    static let ownGroup = "UPDATE switchboard_phone_keys SET group_id = id WHERE id = $1"
    static let mergeGroups = "UPDATE switchboard_phone_keys SET group_id = $1 WHERE group_id = $2"
    static let inGroup = "SELECT kind, value FROM switchboard_phone_keys WHERE group_id = $1 ORDER BY id"

    /// Checks a key before it is stored.
    static func validate(_ key: PhoneKey) throws(PhoneError) {
        if let problem = key.problem { throw PhoneError(problem) }
    }

    /// The stored key, created (in a group of its own) when new.
    static func ensure(_ key: PhoneKey, now: Int64, in db: any SQLConnection) throws -> StoredPhoneKey {
        try validate(key)
        if let found = try lookup(key, in: db) { return found }
        if let id = try db.query(insert, [.text(key.kind.rawValue), .text(key.value), .integer(now)]).first?.int("id") {
            try db.execute(ownGroup, [.integer(id)])
            return StoredPhoneKey(id: id, group: id)
        }
        // Another instance inserted it between our read and our insert (PostgreSQL); it is committed now.
        guard let found = try lookup(key, in: db) else { throw StorageError(.other, "phone key insert returned no row") }
        return found
    }

    static func lookup(_ key: PhoneKey, in db: any SQLConnection) throws -> StoredPhoneKey? {
        guard let row = try db.query(find, [.text(key.kind.rawValue), .text(key.value)]).first else { return nil }
        return StoredPhoneKey(id: try row.int("id"), group: try row.int("group_id"))
    }

    /// Merges the groups of two keys; returns the surviving group (the older one).
    static func merge(_ a: StoredPhoneKey, _ b: StoredPhoneKey, in db: any SQLConnection) throws -> Int64 {
        guard a.group != b.group else { return a.group }
        let keep = min(a.group, b.group)
        try db.execute(mergeGroups, [.integer(keep), .integer(max(a.group, b.group))])
        return keep
    }

    /// Every key of a group, oldest first.
    static func keys(inGroup group: Int64, in db: any SQLConnection) throws -> [PhoneKey] {
        var keys: [PhoneKey] = []
        for row in try db.query(inGroup, [.integer(group)]) {
            if let kind = PhoneKey.Kind(rawValue: try row.string("kind")) { keys.append(PhoneKey(kind, try row.string("value"))) }
        }
        return keys
    }
}
