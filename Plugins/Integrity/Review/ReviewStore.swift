import PluginAPI

/// `integrity_review`: the operator's decisions, with their notes. A dismissal is active until
/// the subject is assigned (or dismissed again); the kernel's record of the subject is not
/// touched, so a late phone still resolves it and the capture rate stays what it is.
struct ReviewStore: Sendable {
    let store: any Store

    static let insert = "INSERT INTO integrity_review (subject, action, note, at, active) VALUES ($1, $2, $3, $4, $5)"
    static let endDismissals = "UPDATE integrity_review SET active = 0 WHERE subject = $1 AND action = 'dismiss' AND active = 1"
    static let activeDismissals = "SELECT subject, note, at FROM integrity_review WHERE action = 'dismiss' AND active = 1 ORDER BY id"
    static let history = "SELECT action, note, at FROM integrity_review WHERE subject = $1 ORDER BY id"

    struct Dismissal: Sendable, Equatable {
        var subject: String
        var note: String?
        var at: Int64
    }

    /// Records a dismissal (replacing an active one).
    func dismiss(subject: String, note: String, at: Int64) async throws {
        try await store.write { db in
            try db.execute(Self.endDismissals, [.text(subject)])
            try db.execute(Self.insert, [.text(subject), .text("dismiss"), .text(note), .integer(at), .integer(1)])
        }
    }

    /// Records an assignment; it ends the subject's dismissal.
    func assigned(subject: String, note: String?, at: Int64) async throws {
        try await store.write { db in
            try db.execute(Self.endDismissals, [.text(subject)])
            try db.execute(Self.insert, [.text(subject), .text("assign"), note.map(SQLValue.text) ?? .null, .integer(at), .integer(0)])
        }
    }

    /// Every active dismissal, by subject.
    func dismissals() async throws -> [String: Dismissal] {
        try await store.read { db in
            var found: [String: Dismissal] = [:]
            for row in try db.query(Self.activeDismissals, []) {
                let subject = try row.string("subject")
                found[subject] = Dismissal(subject: subject, note: try row.optionalString("note"), at: try row.int("at"))
            }
            return found
        }
    }

    /// The operator's actions on one subject, oldest first.
    func actions(subject: String) async throws -> [JSONDocument] {
        try await store.read { db in
            try db.query(Self.history, [.text(subject)]).map { row in
                .object(["action": .string(try row.string("action")), "note": .optional(try row.optionalString("note")),
                         "at": .string(Time.format(try row.int("at")))])
            }
        }
    }
}
