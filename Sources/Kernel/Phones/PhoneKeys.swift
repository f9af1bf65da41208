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
    static let groupOf = "SELECT group_id FROM switchboard_phone_keys WHERE id = $1"
    /// A transaction-scoped advisory lock in the kernel's class of phone-group locks (two int4
    /// keys, so it never meets the migration lock's bigint key; group ids beyond 2^31 share a
    /// lock with another group, which only serialises a little more).
    static let lockGroupPostgres = "SELECT pg_advisory_xact_lock(20480, ($1::bigint % 2147483647)::int)"

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

    /// Serialises the writers of the keys' groups on PostgreSQL. Under READ COMMITTED a
    /// registration and a `learn` (or `link`) of one group could each miss the other's
    /// uncommitted row and both commit — a subject left pending while its evidence exists. So
    /// every write that reads a group to settle its subjects first takes the group's advisory
    /// lock (held until commit), then re-reads the keys' groups: a `link` that committed while
    /// we waited may have merged one away, and the merged group is locked in turn. SQLite has
    /// a single writer: nothing to do. Returns the keys as they stand once locked.
    static func lockGroups(_ keys: [StoredPhoneKey], in db: any SQLConnection) throws -> [StoredPhoneKey] {
        guard db.dialect == .postgres else { return keys }
        var locked: Set<Int64> = []
        var current = keys
        while true {
            for group in Set(current.map(\.group)).subtracting(locked).sorted() {
                try db.execute(lockGroupPostgres, [.integer(group)])
                locked.insert(group)
            }
            let reread = try current.map { key in
                StoredPhoneKey(id: key.id, group: try db.query(groupOf, [.integer(key.id)]).first?.int("group_id") ?? key.group)
            }
            if reread.allSatisfy({ locked.contains($0.group) }) { return reread }
            current = reread
        }
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
