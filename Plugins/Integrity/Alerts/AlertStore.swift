import PluginAPI

/// `integrity_alerts`: each rule's state. Transitions are single statements that change a row
/// only from the other state, so of two evaluations racing (two instances, a retried job)
/// exactly one sees the change and announces it.
struct AlertStore: Sendable {
    let store: any Store

    struct State: Sendable, Equatable {
        var alert: String
        var firing: Bool
        var message: String
        var since: Int64

        var json: JSONDocument {
            .object(["alert": .string(alert), "firing": .bool(firing), "message": .string(message), "since": .string(Time.format(since))])
        }
    }

    /// A change of state, to log, count and announce.
    enum Transition: Sendable, Equatable {
        case fired(alert: String, message: String, since: Int64)
        case resolved(alert: String, message: String, since: Int64)
    }

    static let fire = """
    INSERT INTO integrity_alerts (alert, firing, message, since, updated_at) VALUES ($1, 1, $2, $3, $3)
    ON CONFLICT (alert) DO UPDATE SET firing = 1, message = $2, since = $3, updated_at = $3 WHERE integrity_alerts.firing = 0
    RETURNING alert
    """
    static let refresh = "UPDATE integrity_alerts SET message = $2, updated_at = $3 WHERE alert = $1 AND firing = 1"
    static let resolve = "UPDATE integrity_alerts SET firing = 0, updated_at = $2 WHERE alert = $1 AND firing = 1 RETURNING message, since"
    static let firingRows = "SELECT alert, firing, message, since FROM integrity_alerts WHERE firing = 1 ORDER BY alert"
    static let allRows = "SELECT alert, firing, message, since FROM integrity_alerts ORDER BY alert"

    /// Applies one evaluation (`alert → message` for those firing now; a stored alert not among
    /// them has cleared, or its rule is gone) and, in the same transaction, `announce`s each
    /// transition (enqueueing its notification).
    func apply(firing: [String: String], now: Int64,
               announce: @escaping @Sendable (Transition, any SQLConnection) throws -> Void) async throws -> [Transition] {
        try await store.write { db in
            var transitions: [Transition] = []
            let stored = try db.query(Self.firingRows, []).map { try $0.string("alert") }
            for alert in firing.keys.sorted() {
                let message = firing[alert] ?? ""
                if try !db.query(Self.fire, [.text(alert), .text(message), .integer(now)]).isEmpty {
                    transitions.append(.fired(alert: alert, message: message, since: now))
                } else {
                    try db.execute(Self.refresh, [.text(alert), .text(message), .integer(now)])
                }
            }
            for alert in stored where firing[alert] == nil {
                if let row = try db.query(Self.resolve, [.text(alert), .integer(now)]).first {
                    transitions.append(.resolved(alert: alert, message: try row.string("message"), since: try row.int("since")))
                }
            }
            for transition in transitions { try announce(transition, db) }
            return transitions
        }
    }

    func firing() async throws -> [State] {
        try await store.read { db in try db.query(Self.firingRows, []).map(Self.state) }
    }

    func all() async throws -> [State] {
        try await store.read { db in try db.query(Self.allRows, []).map(Self.state) }
    }

    static func state(_ row: Row) throws -> State {
        State(alert: try row.string("alert"), firing: try row.int("firing") != 0, message: try row.string("message"), since: try row.int("since"))
    }
}
