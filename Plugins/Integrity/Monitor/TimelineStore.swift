import PluginAPI

/// One row of the live monitor: something that happened, with the phone masked.
struct TimelineEntry: Sendable, Equatable {
    var id: Int64
    var at: Int64
    var kind: String
    var channel: String?
    var direction: String?
    /// Masked (`+2126••••59`).
    var phone: String?
    var summary: String

    init(row: Row) throws {
        id = try row.int("id")
        at = try row.int("at")
        kind = try row.string("kind")
        channel = try row.optionalString("channel")
        direction = try row.optionalString("direction")
        phone = try row.optionalString("phone")
        summary = try row.string("summary")
    }

    /// The stream's and the listing's shape: `{"id","at","kind","channel","direction","phone","summary"}`.
    var json: JSONDocument {
        .object(["id": .integer(id), "at": .string(Time.format(at)), "kind": .string(kind), "channel": .optional(channel),
                 "direction": .optional(direction), "phone": .optional(phone), "summary": .string(summary)])
    }
}

/// `integrity_timeline`: written by the event subscriptions, read by the stream and the listing.
struct TimelineStore: Sendable {
    let store: any Store

    static let insert = """
    INSERT INTO integrity_timeline (at, kind, channel, direction, phone, summary, event_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (event_id) DO NOTHING RETURNING id
    """
    static let columns = "SELECT id, at, kind, channel, direction, phone, summary FROM integrity_timeline"
    static let after = columns + " WHERE id > $1 ORDER BY id LIMIT $2"
    static let newest = columns + " ORDER BY id DESC LIMIT $1"
    static let prune = "DELETE FROM integrity_timeline WHERE at < $1"

    /// Adds a row for event `eventID` (once: a redelivered event adds nothing); true when added.
    func add(at: Int64, kind: String, channel: String?, direction: String?, phone: String?, summary: String, eventID: Int64) async throws -> Bool {
        try await store.write { db in
            !(try db.query(Self.insert, [.integer(at), .text(kind), channel.map(SQLValue.text) ?? .null, direction.map(SQLValue.text) ?? .null,
                                         phone.map(SQLValue.text) ?? .null, .text(summary), .integer(eventID)])).isEmpty
        }
    }

    /// Rows after `id`, oldest first.
    func rows(after id: Int64, limit: Int) async throws -> [TimelineEntry] {
        try await store.read { db in try db.query(Self.after, [.integer(id), .integer(Int64(limit))]).map(TimelineEntry.init) }
    }

    /// The newest `limit` rows, oldest first.
    func newest(_ limit: Int) async throws -> [TimelineEntry] {
        try await store.read { db in try db.query(Self.newest, [.integer(Int64(limit))]).map(TimelineEntry.init).reversed() }
    }

    /// Deletes rows older than `before`; returns how many.
    func prune(before: Int64) async throws -> Int {
        try await store.write { db in try db.execute(Self.prune, [.integer(before)]) }
    }
}
