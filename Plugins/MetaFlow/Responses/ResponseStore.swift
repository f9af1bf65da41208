import PluginAPI

/// The response records of `metaflow_responses`: opened at a token's first INIT or
/// submitted screen, every screen's answers merged in, completed at the last screen. Each
/// change is committed before the endpoint answers, so an abandoned Flow keeps what was
/// answered. A new record is registered with phone resolution in the same transaction, and
/// completing a record publishes `flow.response.saved` there too (once per record: a Flow
/// completed at the endpoint and again by its `nfm_reply` is one completion).
struct ResponseStore: Sendable {
    static let savedEvent = "flow.response.saved"
    static let inProgress = "in_progress"
    static let completed = "completed"
    static let subjectPrefix = "metaflow/response/"

    let store: any Store
    let phones: any Phones
    let events: any EventBus
    let log: any Logger

    /// Which tokens the endpoint accepts.
    struct TokenPolicy: Sendable {
        /// Refuse tokens neither issued by us nor seen before.
        var strict: Bool
        /// Refuse tokens issued (else first seen) longer ago than this.
        var ttlMillis: Int64?

        var isActive: Bool { strict || ttlMillis != nil }
    }

    enum Outcome: Sendable, Equatable {
        /// The token is not accepted (answered 427); nothing was changed.
        case refused(String)
        /// The change is committed; `answers` are the record's merged answers afterwards.
        case applied(answers: [String: JSONValue], responseID: Int64?)
    }

    /// Checks the token against `policy`, then applies `change` to its record, in one transaction.
    func apply(flow: String, token: String, change: FlowPlan.Change, policy: TokenPolicy, now: Int64) async throws -> Outcome {
        if change == .none {
            guard policy.isActive else { return .applied(answers: [:], responseID: nil) }
            return try await store.read { db in
                if let refusal = try Self.refusal(token: token, policy: policy, now: now, in: db) { return .refused(refusal) }
                return .applied(answers: [:], responseID: nil)
            }
        }
        let phones = self.phones
        let events = self.events
        let log = self.log
        return try await store.write { db in
            if policy.isActive, let refusal = try Self.refusal(token: token, policy: policy, now: now, in: db) { return .refused(refusal) }
            return try Self.upsert(flow: flow, token: token, change: change, now: now, phones: phones, events: events, log: log, in: db)
        }
    }

    /// Why `token` is refused, or nil when it is accepted.
    static func refusal(token: String, policy: TokenPolicy, now: Int64, in db: any SQLConnection) throws -> String? {
        let since = try db.queryOne(ResponseSQL.issuedAt, token)?.int("created_at")
            ?? db.queryOne(ResponseSQL.firstSeenAt, token)?.int("created_at")
        guard let since else { return policy.strict ? "unknown flow_token (strict_tokens)" : nil }
        if let ttl = policy.ttlMillis, now - since > ttl { return "flow_token older than token_ttl" }
        return nil
    }

    /// Creates the record when new, merges the answers, completes it when asked. In the caller's transaction.
    static func upsert(flow: String, token: String, change: FlowPlan.Change, now: Int64, phones: any Phones, events: any EventBus,
                       log: any Logger, in db: any SQLConnection) throws -> Outcome {
        var answers: [String: JSONValue] = [:]
        var status = inProgress
        let id: Int64
        if let created = try db.queryOne(ResponseSQL.insert, flow, token, now) {
            id = try created.int("id")
            try track(id: id, flow: flow, token: token, now: now, phones: phones, log: log, in: db)
        } else {
            guard let existing = try db.queryOne(ResponseSQL.touch, token, now) else {
                throw StorageError(.conflict, "metaflow_responses: the record of a flow_token vanished between insert and update")
            }
            id = try existing.int("id")
            status = try existing.string("status")
            answers = try JSONText.decode([String: JSONValue].self, from: Array(try existing.string("answers").utf8))
        }
        for (name, value) in change.answers { answers[name] = value }
        var completedAt: Int64?
        let wasCompleted = status == completed
        if case .complete = change {
            status = completed
            completedAt = now
        }
        if change != .open {
            try db.execute(ResponseSQL.save, id, try JSONText.string(answers), status, now, completedAt)
        }
        if status == completed && !wasCompleted {
            try publishSaved(id: id, flow: flow, now: now, events: events, in: db)
        }
        return .applied(answers: answers, responseID: id)
    }

    /// `flow.response.saved`: `{"response_id", "subject", "flow", "phone", "phone_source", "at"}`;
    /// the phone is null until resolved (then `phone.resolved` follows).
    static func publishSaved(id: Int64, flow: String, now: Int64, events: any EventBus, in db: any SQLConnection) throws {
        let row = try db.queryOne(ResponseSQL.phoneOf, id)
        let payload: [String: JSONValue] = [
            "response_id": .integer(id),
            "subject": .string(subjectPrefix + "\(id)"),
            "flow": .string(flow),
            "phone": try row?.optionalString("phone").map(JSONValue.string) ?? .null,
            "phone_source": try row?.optionalString("phone_source").map(JSONValue.string) ?? .null,
            "at": .integer(now),
        ]
        try events.publish(savedEvent, payload: try JSONText.string(payload), in: db)
    }

    /// Registers the new record with phone resolution; a phone already known from evidence
    /// is written at once (later ones arrive as `phone.resolved`). The subject is labelled with
    /// the flow's name, so reports (Integrity's `?flow=`) can count one flow's answers.
    static func track(id: Int64, flow: String, token: String, now: Int64, phones: any Phones, log: any Logger, in db: any SQLConnection) throws {
        let key = PhoneKey.flowToken(token)
        if let problem = key.problem {
            // Storing the answers matters more than resolving their phone.
            log.warning("flow response not tracked for phone resolution", ["response": "\(id)", "reason": problem])
            return
        }
        let resolution = try phones.track(key: key, subject: subjectPrefix + "\(id)", label: flow, in: db)
        if let phone = resolution.phone {
            try db.execute(ResponseSQL.setPhone, id, phone.e164, resolution.source, now)
        }
    }
}
