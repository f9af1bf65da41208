import PluginAPI

/// Descriptions of the kernel's own routes for `/openapi.json`: the probes, the document
/// itself, and the admin API (`AdminRouteDocs+Phones` for `/api/admin/phones/…`). Each must
/// name a kernel route (a boot error otherwise), so a description cannot outlive its route.
enum AdminRouteDocs {
    static let prefix = AdminRoutes.prefix

    static var all: [(HTTPMethod, String, RouteDoc)] { probes + admin + phones + panels }

    // MARK: - shared pieces

    static let storageUnavailable = RouteDoc.Answer.error(503, "storage is unavailable; retry later")
    static let badParameter = RouteDoc.Answer.error(400, "a parameter or the body is malformed (the message names it)")
    static let notFound = RouteDoc.Answer.error(404, "no such item")
    static let limit = RouteDoc.Parameter.query("limit", .integer(minimum: 1, maximum: 1000), "page size (default 100)")
    static let after = RouteDoc.Parameter.query("after", .integer(minimum: 0), "the previous page's `next` (0 for the start)")
    static let since = RouteDoc.Parameter.query("since", .timeOrDurationAgo, "received at or after")
    static let plugin = RouteDoc.Parameter.query("plugin", .string(minLength: 1), "a plugin id (`wasender`)")
    static let id = RouteDoc.Parameter.path("id", .integer(minimum: 1), "the row id")

    /// `{"items": [item…], "next": <id or null>}`.
    static func page(_ item: JSONSchema) -> JSONSchema {
        .object(["items": .array(of: item),
                 "next": .integer(description: "the cursor (`after=`) of the next page; null on the last page").nullable()])
    }

    /// A kernel admin operation: bearer token, 503 when storage is down, the 401 added by the document.
    static func admin(_ summary: String, description: String? = nil, parameters: [RouteDoc.Parameter] = [], body: RouteDoc.Body? = nil,
                      _ responses: [RouteDoc.Answer]) -> RouteDoc {
        RouteDoc(summary: summary, description: description, security: .admin, parameters: parameters, body: body,
                 responses: responses + [storageUnavailable], tag: "admin")
    }

    // MARK: - schemas

    static let time = JSONSchema.dateTime()
    static let inboxItem = JSONSchema.object([
        "id": .integer(minimum: 1), "plugin": .string(), "route": .string(description: "the mounted webhook path"),
        "dedupe_key": .string().nullable(), "status": .string(enum: AdminParameters.inboxStatuses),
        "received_at": time, "processed_at": time.nullable(), "duplicate_of": .integer().nullable(), "size": .integer(minimum: 0),
        "error": .string().nullable(), "job_id": .integer().nullable(),
    ])
    static let job = JSONSchema.object([
        "id": .integer(minimum: 1), "name": .string(), "queue": .string(), "status": .string(enum: AdminParameters.jobStatuses),
        "attempt": .integer(minimum: 0), "max_attempts": .integer(minimum: 1), "run_at": time, "last_error": .string().nullable(),
        "created_at": time, "finished_at": time.nullable(),
    ])
    static var inboxDetail: JSONSchema {
        guard case .object(var properties, var required, let additional) = inboxItem.shape else { return inboxItem }
        let extra: [JSONSchema.Property] = [
            .init("headers", .array(of: .object(["name": .string(), "value": .string()]))),
            .init("body_encoding", .string(enum: ["utf8", "base64"])),
            .init("body", .string(description: "the stored body: text, or base64 when it is not UTF-8")),
            .init("job", job.nullable()),
        ]
        properties += extra
        required += extra.map(\.name)
        return JSONSchema(.object(properties: properties, required: required, additional: additional))
    }
    static let rejection = JSONSchema.object([
        "id": .integer(minimum: 1), "time": time, "plugin": .string(), "route": .string(), "reason": .string(),
        "size": .integer(minimum: 0), "remote_address": .string(),
    ])
    static let replay = JSONSchema.object([
        "id": .integer(minimum: 1), "result": .string(enum: ["queued", "already_queued"]), "job_id": .integer(minimum: 1),
        "job_status": .string(description: "the waiting or running job's status (only with `already_queued`)"),
    ], required: ["id", "result", "job_id"])
    static let bulkReplay = JSONSchema.object([
        "matched": .integer(minimum: 0), "queued": .integer(minimum: 0), "already_queued": .array(of: .integer(minimum: 1)),
    ])

    // MARK: - routes

    static let probes: [(HTTPMethod, String, RouteDoc)] = [
        (.get, "/healthz", RouteDoc(summary: "Liveness: the process answers", security: .none,
                                    responses: [.json(200, "alive", .object(["status": .string(enum: ["ok"])]))], tag: "probes")),
        (.get, "/readyz", RouteDoc(summary: "Readiness: plugins started and storage answering", security: .none,
                                   responses: [.json(200, "ready", .object(["status": .string(enum: ["ready"])])),
                                               .error(503, "starting, stopping, or storage does not answer")], tag: "probes")),
        (.get, "/metrics", RouteDoc(summary: "Prometheus metrics", security: .none,
                                    responses: [.body(200, "the text exposition format", mediaType: "text/plain")], tag: "probes")),
        (.get, "/openapi.json", RouteDoc(summary: "This document", security: .admin,
                                         responses: [.json(200, "an OpenAPI 3.1 document", .object([:], additional: .allowed))], tag: "admin")),
    ]

    static var admin: [(HTTPMethod, String, RouteDoc)] {
        [
            (.get, "\(prefix)/inbox", Self.admin(
                "List stored webhook requests, oldest first",
                parameters: [since, .query("status", .string(enum: AdminParameters.inboxStatuses)), plugin, limit, after],
                [.json(200, "a page of inbox items", page(inboxItem)), badParameter])),
            (.get, "\(prefix)/inbox/rejections", Self.admin(
                "List webhook requests that failed verification (never their bodies)",
                parameters: [since, plugin, limit, after],
                [.json(200, "a page of rejections", page(rejection)), badParameter])),
            (.get, "\(prefix)/inbox/:id", Self.admin(
                "Show one stored webhook request: headers (credentials removed), body and its job",
                parameters: [id], [.json(200, "the item", inboxDetail), badParameter, notFound])),
            (.post, "\(prefix)/inbox/:id/replay", Self.admin(
                "Enqueue processing of one stored request again",
                parameters: [id],
                [.json(200, "queued, or already waiting", replay), badParameter, notFound,
                 .error(409, "refused in the item's state (`duplicate`, `plugin_disabled`)")])),
            (.post, "\(prefix)/inbox/replay", Self.admin(
                "Enqueue processing again for every non-duplicate request since a time",
                body: .json(.object(["since": .timeOrDurationAgo,
                                     "plugin": .string(minLength: 1).nullable()], required: ["since"])),
                [.json(200, "what was queued", bulkReplay), badParameter,
                 .error(409, "nothing replayed (`plugin_disabled`)")])),
            (.get, "\(prefix)/jobs", Self.admin(
                "List durable jobs",
                parameters: [.query("status", .string(enum: AdminParameters.jobStatuses)), .query("name", .string(minLength: 1)), limit, after],
                [.json(200, "a page of jobs", page(job)), badParameter])),
            (.post, "\(prefix)/jobs/:id/retry", Self.admin(
                "Make a dead or cancelled job available again, attempts counted from 0",
                parameters: [id],
                [.json(200, "the job, available again", job), badParameter, notFound,
                 .error(409, "not retryable in its state (`not_retryable`, `unknown_job`, `already_queued`)")])),
        ]
    }

    static var panels: [(HTTPMethod, String, RouteDoc)] {
        [(.get, "\(prefix)/panels", Self.admin(
            "The admin panels the enabled plugins registered",
            [.json(200, "panels in plugin order", .object(["panels": .array(of: .object([
                "id": .string(), "plugin": .string(), "title": .string(), "source": .string(), "rows_key": .string(),
                "columns": .array(of: .object(["key": .string(), "title": .string(),
                                               "format": .string(enum: ["text", "time", "phone", "flag"])])),
                "actions": .array(of: .object(["title": .string(), "path": .string(), "confirm": .string().nullable()])),
            ]))])), badParameter]))]
    }
}
