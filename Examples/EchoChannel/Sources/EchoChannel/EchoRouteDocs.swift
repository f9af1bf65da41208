import PluginAPI

/// How the operator routes appear in the host's `GET /openapi.json`: a third-party plugin
/// describes its routes like the built-in ones, through the registrar (`EchoAdminRoutes`).
enum EchoRouteDocs {
    static let message = JSONSchema.object([
        "id": .integer(minimum: 1),
        "conversation": .string(),
        "phone": .string(format: "e164"),
        "text": .string(),
        "received_at": .integer(description: "Unix milliseconds"),
        "acked": .boolean,
    ])

    static let list = RouteDoc(
        summary: "Recent inbound Echo messages, newest first",
        security: .admin,
        parameters: [.query("limit", .integer(minimum: 1, maximum: 500), "page size (default 50)"),
                     .query("after", .integer(minimum: 1), "the previous page's `next`")],
        responses: [
            .json(200, "a page of messages", .object(["messages": .array(of: message),
                                                      "next": .string(description: "the `after` of the next page").nullable()],
                                                     required: ["messages"])),
            .error(400, "a bad `limit` or `after`"),
        ])

    static let ack = RouteDoc(
        summary: "Send the acknowledgement for one message (once)",
        security: .admin,
        parameters: [.path("id", .integer(minimum: 1), "the message id")],
        responses: [
            .json(200, "queued now, or already sent before",
                  .object(["id": .string(), "result": .string(enum: ["queued", "already_acked"])])),
            .error(400, "the id is not a positive integer"),
            .error(404, "no such message"),
        ])
}
