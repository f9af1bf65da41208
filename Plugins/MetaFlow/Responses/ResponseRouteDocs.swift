import PluginAPI

/// Descriptions of `GET /metaflow/responses` and `GET /metaflow/responses.csv` for `/openapi.json`.
enum ResponseRouteDocs {
    static let filters: [RouteDoc.Parameter] = [
        .query("flow", .string(minLength: 1), "the flow's name in the config"),
        .query("since", .timeOrDurationAgo, "created at or after"),
        .query("status", .string(enum: ResponseListing.statuses)),
        .query("has_phone", .string(enum: ["true", "false"]), "only responses with (or without) a phone"),
    ]
    static let paging: [RouteDoc.Parameter] = [
        .query("limit", .integer(minimum: 1, maximum: Int64(ResponseListing.maxLimit)), "page size (default \(ResponseListing.defaultLimit))"),
        .query("after", .integer(minimum: 0), "the previous page's `next`"),
    ]

    static let record = JSONSchema.object([
        "id": .integer(minimum: 1),
        "flow": .string(),
        "flow_token": .string(),
        "phone_number": .string(format: "e164").nullable(),
        "phone_source": .string().nullable(),
        "answers": .map(of: .any, description: "the answers by field name, as the Flow sent them"),
        "status": .string(enum: ResponseListing.statuses),
        "created_at": .dateTime(),
        "completed_at": .dateTime().nullable(),
    ])

    static let list = RouteDoc(
        summary: "List Flow responses with their phone and its source, in id order",
        security: .admin, parameters: filters + paging,
        responses: [
            .json(200, "a page of responses", .object(["responses": .array(of: record),
                                                       "next": .integer(description: "the `after` of the next page; null on the last").nullable()])),
            .error(400, "a bad filter (the message names it)"),
        ])

    static let csv = RouteDoc(
        summary: "Every matching Flow response as CSV",
        security: .admin, parameters: filters + paging,
        responses: [.body(200, "CSV with a header line", mediaType: "text/csv"), .error(400, "a bad filter (the message names it)")])
}
