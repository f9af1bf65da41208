import PluginAPI

/// Descriptions of `POST /metaflow/send`, `POST /metaflow/send/bulk` and
/// `GET /metaflow/send/bulk/:id` for `/openapi.json`. `flows` are the configured flows' names,
/// so the document lists what this instance can send.
enum SendRouteDocs {
    static let mode = JSONSchema.string(enum: [FlowSender.Mode.interactive.rawValue, FlowSender.Mode.template.rawValue])
    static let badRequest = RouteDoc.Answer.error(400, "a bad body, phone, flow or mode (`invalid_json`, `invalid_phone_number`, `unknown_flow`, …)")

    static let sendOutcome = JSONSchema.object([
        "flow_token": .string(),
        "phone_number": .string(format: "e164"),
        "status": .string(enum: ["sent", "queued", "failed"]),
        "message_id": .string(description: "the WhatsApp message id (`wamid.…`) once sent"),
        "error": .string(description: "why the send failed for good"),
    ], required: ["flow_token", "phone_number", "status"])

    static func flow(_ flows: [String]) -> JSONSchema {
        .string(enum: flows, description: "a configured flow; default: `default_flow`")
    }

    static func send(flows: [String]) -> RouteDoc { RouteDoc(
        summary: "Send a Flow to one phone; the token→phone link is stored before the send",
        description: "Waits up to 5 s for the channel: `sent` with the message id, or `queued` (rate limit, retries).",
        security: .admin,
        body: .json(.object([
            "phone_number": .oneOf([.string(minLength: 1), .integer(minimum: 0)], description: "any form the normaliser accepts"),
            "customer_name": .string().nullable(),
            "flow": flow(flows).nullable(),
            "mode": mode.nullable(),
        ], required: ["phone_number"], additional: .allowed)),
        responses: [
            .json(200, "sent, or queued", sendOutcome),
            .json(502, "the send failed for good", sendOutcome),
            badRequest,
        ])
    }

    static func bulk(flows: [String]) -> RouteDoc { RouteDoc(
        summary: "Queue a Flow to every row of a CSV or JSON list; re-posting the same input queues nothing twice",
        security: .admin,
        parameters: [
            .query("flow", flow(flows)),
            .query("mode", mode),
            .query("batch", .string(minLength: 1), "names the batch (default: a digest of flow, mode and input)"),
        ],
        body: RouteDoc.Body([
            // No schema: a CSV body is text whatever a generator thinks its JSON type is.
            .init("text/csv"),
            .init("application/json", .array(of: .object([
                "phone_number": .oneOf([.string(), .integer()], description: "a row without one is skipped and reported in `invalid`").nullable(),
                "customer_name": .string().nullable(),
            ], required: [], additional: .allowed))),
        ], description: "CSV (`phone_number,customer_name` lines, an optional header) or a JSON array of rows"),
        responses: [
            .json(202, "rows were queued", batch),
            .json(200, "nothing new to queue (every valid row was already in the batch)", batch),
            badRequest,
        ])
    }

    static let batch = JSONSchema.object([
        "batch_id": .integer(minimum: 1), "flow": .string(), "mode": mode, "rows": .integer(minimum: 0),
        "queued": .integer(minimum: 0), "already_queued": .integer(minimum: 0),
        "invalid": .array(of: .object(["line": .integer(minimum: 1), "reason": .string()])),
        "duplicates": .array(of: .object(["line": .integer(minimum: 1), "first_line": .integer(minimum: 1)])),
        "progress_url": .string(),
    ])

    static let progress = RouteDoc(
        summary: "A bulk batch's progress: counts by send status",
        security: .admin,
        parameters: [.path("id", .integer(minimum: 1), "the batch id")],
        responses: [
            .json(200, "the counts", .object([
                "batch_id": .integer(minimum: 1), "flow": .string(), "mode": mode, "rows": .integer(minimum: 0),
                "total": .integer(minimum: 0), "queued": .integer(minimum: 0), "sent": .integer(minimum: 0), "failed": .integer(minimum: 0),
                "invalid": .integer(minimum: 0), "duplicates": .integer(minimum: 0), "done": .boolean,
            ])),
            .error(400, "the id is not a positive integer"),
            .error(404, "no such batch"),
        ])
}
