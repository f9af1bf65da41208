import PluginAPI

/// `/integrity/review…`: the queue, one subject's history, assignment and dismissal. Every
/// route needs the admin token.
struct ReviewRoutes: Sendable {
    let queue: ReviewQueue
    let phones: any Phones
    let reviews: ReviewStore
    let clock: any TimeSource
    let authorized: @Sendable (Request) -> Bool

    static let listKeys: Set<String> = ["status", "flow", "since", "after", "limit", "include_dismissed"]
    static let statusNames = ["open", "unresolved", "conflict", "pending"]
    static let maxNote = 2000

    func register(_ registrar: any Registrar) {
        let routes = self
        registrar.route(.get, "/review") { request in
            guard routes.authorized(request) else { return IntegrityHTTP.unauthorized() }
            return try await routes.list(request)
        }
        registrar.route(.get, "/review/subject") { request in
            guard routes.authorized(request) else { return IntegrityHTTP.unauthorized() }
            return try await routes.subject(request)
        }
        registrar.route(.post, "/review/assign") { request in
            guard routes.authorized(request) else { return IntegrityHTTP.unauthorized() }
            return try await routes.assign(request)
        }
        registrar.route(.post, "/review/dismiss") { request in
            guard routes.authorized(request) else { return IntegrityHTTP.unauthorized() }
            return try await routes.dismiss(request)
        }
    }

    /// `GET /integrity/review?status=open|unresolved|conflict|pending&flow=&since=&after=&limit=&include_dismissed=`.
    func list(_ request: Request) async throws -> Response {
        let query = try IntegrityHTTP.query(request, known: Self.listKeys)
        let statuses: [PhoneResolutionStatus]
        switch query["status"] ?? "open" {
        case "open": statuses = ReviewQueue.openStatuses
        case let name:
            guard let status = PhoneResolutionStatus(rawValue: name), status != .resolved else {
                throw HTTPError(400, "bad_request", "status: expected one of \(Self.statusNames.joined(separator: ", "))")
            }
            statuses = [status]
        }
        if let flow = query["flow"], flow.isEmpty { throw HTTPError(400, "bad_request", "flow: must not be empty") }
        let scope = PhoneSubjectScope(since: try IntegrityHTTP.since(query["since"], now: clock.nowMillis), label: query["flow"])
        let after = try IntegrityHTTP.integer("after", query["after"], range: 0...Int64.max)
        let limit = Int(try IntegrityHTTP.integer("limit", query["limit"], range: 1...200) ?? 50)
        let include: Bool
        switch query["include_dismissed"] {
        case nil, "false"?: include = false
        case "true"?: include = true
        default: throw HTTPError(400, "bad_request", "include_dismissed: expected true or false")
        }
        return try IntegrityHTTP.json(try await queue.page(statuses: statuses, scope: scope, after: after, limit: limit, includeDismissed: include))
    }

    /// `GET /integrity/review/subject?subject=S`: its keys, every attempt, disagreements and the operator's actions.
    func subject(_ request: Request) async throws -> Response {
        let query = try IntegrityHTTP.query(request, known: ["subject"])
        guard let name = query["subject"], !name.isEmpty else { throw HTTPError(400, "bad_request", "subject: required") }
        guard let history = try await phones.history(subject: name) else {
            throw HTTPError(404, "not_found", "no phone subject \(String(name.prefix(200)))")
        }
        let dismissal = try await reviews.dismissals()[name]
        guard case .object(var members) = ReviewQueue.item(history.subject, history: history, dismissal: dismissal) else {
            throw HTTPError(500, "internal_error", "review item is not an object")
        }
        members["attempt_log"] = .array(history.attempts.map { a in
            .object(["round": .integer(a.round), "strategy": .string(a.strategy), "outcome": .string(a.outcome),
                     "latency_ms": .double(Double(a.latencyMicros) / 1000), "detail": .optional(a.detail), "at": .string(Time.format(a.at))])
        })
        members["actions"] = .array(try await reviews.actions(subject: name))
        return try IntegrityHTTP.json(.object(members))
    }

    /// `POST /integrity/review/assign {"subject","phone","note"?,"region"?}`: the operator's number
    /// (the kernel's manual evidence: it resolves every subject of the key and settles a conflict).
    func assign(_ request: Request) async throws -> Response {
        let body = try IntegrityHTTP.object(request.body, allowed: ["subject", "phone", "note", "region"],
                                            example: #"{"subject": "metaflow/response/42", "phone": "+212610059159", "note": "called them"}"#)
        guard let subject = try IntegrityHTTP.string(body, "subject", required: true),
              let phone = try IntegrityHTTP.string(body, "phone", required: true) else { throw HTTPError(400, "bad_request", "subject and phone are required") }
        let note = try IntegrityHTTP.string(body, "note")
        if let note, note.utf8.count > Self.maxNote { throw HTTPError(400, "bad_request", "note: at most \(Self.maxNote) bytes") }
        let resolution = try await phones.assign(subject: subject, phone: phone, region: try IntegrityHTTP.string(body, "region"), note: note)
        try await reviews.assigned(subject: subject, note: note, at: clock.nowMillis)
        return try IntegrityHTTP.json(.object([
            "subject": .string(resolution.subject), "status": .string(resolution.status.rawValue), "phone": .optional(resolution.phone?.e164),
            "source": .optional(resolution.source), "note": .optional(note),
        ]))
    }

    /// `POST /integrity/review/dismiss {"subject","note"}`: takes an unresolved or conflicting
    /// subject off the queue, with the operator's reason. 409 for a subject that has its phone.
    func dismiss(_ request: Request) async throws -> Response {
        let body = try IntegrityHTTP.object(request.body, allowed: ["subject", "note"],
                                            example: #"{"subject": "metaflow/response/42", "note": "test entry"}"#)
        guard let subject = try IntegrityHTTP.string(body, "subject", required: true),
              let note = try IntegrityHTTP.string(body, "note", required: true) else { throw HTTPError(400, "bad_request", "subject and note are required") }
        if note.utf8.count > Self.maxNote { throw HTTPError(400, "bad_request", "note: at most \(Self.maxNote) bytes") }
        guard let resolution = try await phones.resolution(subject: subject) else {
            throw HTTPError(404, "not_found", "no phone subject \(String(subject.prefix(200)))")
        }
        guard resolution.status != .resolved else {
            throw HTTPError(409, "not_reviewable", "subject \(String(subject.prefix(200))) is resolved; nothing to dismiss")
        }
        let at = clock.nowMillis
        try await reviews.dismiss(subject: subject, note: note, at: at)
        return try IntegrityHTTP.json(.object([
            "subject": .string(subject), "status": .string(resolution.status.rawValue), "dismissed": .bool(true),
            "note": .string(note), "at": .string(Time.format(at)),
        ]))
    }
}
