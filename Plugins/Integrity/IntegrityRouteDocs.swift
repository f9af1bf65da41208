import PluginAPI

/// Descriptions of the Integrity plugin's operator routes for `/openapi.json`. Members that
/// appear only sometimes (a review item's history) are listed but not required.
enum IntegrityRouteDocs {
    static let rate = JSONSchema.number(minimum: 0, maximum: 1).nullable()
    static let time = JSONSchema.dateTime()
    static let badRequest = RouteDoc.Answer.error(400, "a bad parameter or body (the message names it)")
    static let alert = JSONSchema.object(["alert": .string(), "firing": .boolean, "message": .string(), "since": time])

    static let report = RouteDoc(
        summary: "The capture rate, the queues, the inbox, each source's last request, alerts and the status they add up to",
        security: .admin,
        parameters: [.query("since", .timeOrDurationAgo, "subjects created at or after"),
                     .query("flow", .string(minLength: 1), "only subjects of this flow")],
        responses: [
            .json(200, "the report", .object([
                "total": .integer(minimum: 0), "resolved": .integer(minimum: 0), "pending": .integer(minimum: 0),
                "unresolved": .integer(minimum: 0), "conflicts": .integer(minimum: 0), "dismissed": .integer(minimum: 0),
                "capture_rate": rate,
                "by_source": .map(of: .object(["kind": .string(), "subjects": .integer(minimum: 0), "rate": rate])),
                "by_day": .array(of: .object(["day": .string(), "subjects": .integer(minimum: 0), "resolved": .integer(minimum: 0),
                                              "capture_rate": rate])),
                "status": .string(enum: ["ok", "warning", "critical"]),
                "reasons": .array(of: .string()),
                "thresholds": .object([:], additional: .allowed),
                "inbox": .object(["rejected_24h": .integer(minimum: 0), "dead_jobs": .integer(minimum: 0)]),
                "sources": .map(of: .object(["last_seen": time, "silent": .boolean])),
                "alerts": .array(of: alert),
                "filters": .object(["since": time.nullable(), "flow": .string().nullable()]),
                "generated_at": time,
            ])),
            badRequest,
        ])

    static let alerts = RouteDoc(
        summary: "Every alert and whether it fires", security: .admin,
        responses: [.json(200, "the alerts", .object(["alerts": .array(of: alert)])), badRequest])

    static let stream = RouteDoc(
        summary: "The live monitor: timeline events as server-sent events (resumes after `Last-Event-ID`)", security: .admin,
        parameters: [RouteDoc.Parameter(name: "Last-Event-ID", location: .header, schema: .string(), required: false,
                                        description: "the last event id seen")],
        responses: [.body(200, "an endless `text/event-stream`", mediaType: "text/event-stream"), badRequest])

    static let event = JSONSchema.object([
        "id": .integer(minimum: 1), "at": time, "kind": .string(), "channel": .string().nullable(),
        "direction": .string().nullable(), "phone": .string().nullable(), "summary": .string(),
    ])

    static let timeline = RouteDoc(
        summary: "Timeline events: the newest, or those after an id", security: .admin,
        parameters: [.query("after", .integer(minimum: 0), "events after this id, oldest first"),
                     .query("limit", .integer(minimum: 1, maximum: 500), "at most (default 100)")],
        responses: [.json(200, "events", .object(["events": .array(of: event), "next": .string().nullable()])), badRequest])

    static let reviewItem = JSONSchema.object([
        "id": .integer(), "subject": .string(), "key": .string(), "status": .string(), "phone": .string().nullable(),
        "source": .string().nullable(), "flow": .string().nullable(), "rounds": .integer(minimum: 0), "created_at": time,
        "updated_at": time, "dismissed": .boolean, "dismissal_note": .string().nullable(),
        "tried": .string(), "attempts": .integer(minimum: 0), "linked_keys": .array(of: .string()),
        "disagreements": .array(of: .object([:], additional: .allowed)),
    ], required: ["id", "subject", "key", "status", "phone", "source", "flow", "rounds", "created_at", "updated_at", "dismissed",
                  "dismissal_note"], additional: .allowed)

    static let review = RouteDoc(
        summary: "The review queue: unresolved, conflicting and pending subjects with what was tried", security: .admin,
        parameters: [.query("status", .string(enum: ["open", "unresolved", "conflict", "pending"])),
                     .query("flow", .string(minLength: 1), "only subjects of this flow"), .query("since", .timeOrDurationAgo),
                     .query("after", .integer(minimum: 0)), .query("limit", .integer(minimum: 1, maximum: 200)),
                     .query("include_dismissed", .string(enum: ["true", "false"]))],
        responses: [.json(200, "a page of the queue", .object(["items": .array(of: reviewItem), "next": .string().nullable()])), badRequest])

    static let subject = RouteDoc(
        summary: "One subject: its keys, every attempt, disagreements and the operator's actions", security: .admin,
        parameters: [.query("subject", .string(minLength: 1), required: true)],
        responses: [.json(200, "the subject", .object([:], additional: .allowed)), badRequest, .error(404, "no such subject")])

    static let assign = RouteDoc(
        summary: "Assign the operator's number to a subject (resolves every subject of its key)", security: .admin,
        body: .json(.object(["subject": .string(minLength: 1), "phone": .string(minLength: 1), "note": .string().nullable(),
                             "region": .string().nullable()], required: ["subject", "phone"])),
        responses: [.json(200, "the subject, resolved", .object(["subject": .string(), "status": .string(), "phone": .string().nullable(),
                                                                "source": .string().nullable(), "note": .string().nullable()])),
                    badRequest, .error(404, "no such subject")])

    static let dismiss = RouteDoc(
        summary: "Take an unresolved or conflicting subject off the queue, with the operator's reason", security: .admin,
        body: .json(.object(["subject": .string(minLength: 1), "note": .string(minLength: 1)])),
        responses: [.json(200, "dismissed", .object(["subject": .string(), "status": .string(), "dismissed": .boolean, "note": .string(),
                                                    "at": time])),
                    badRequest, .error(404, "no such subject"), .error(409, "the subject is resolved (`not_reviewable`)")])
}
