import PluginAPI

/// Descriptions of `GET /cloudtalk/calls` and `POST /cloudtalk/calls/:call/follow-up` for
/// `/openapi.json` (`CallRoutes`).
enum CallRouteDocs {
    static let call = JSONSchema.object([
        "call_id": .string().nullable(),
        "call_uuid": .string().nullable(),
        "direction": .string().nullable(),
        "external_number": .string(description: "the customer's number, E.164 when it normalised").nullable(),
        "status": .string(description: "`answered` or `missed` as CloudTalk sent it").nullable(),
        "should_send": .boolean,
        "follow_up_status": .string(enum: CallRecord.FollowUp.all),
        "follow_up_sent_at": .dateTime().nullable(),
        "replied_at": .dateTime().nullable(),
        "document_received": .boolean,
        "created_at": .dateTime().nullable(),
    ])

    static let list = RouteDoc(
        summary: "List CloudTalk calls with their follow-up and reply, newest first",
        security: .admin,
        parameters: [
            .query("status", .string(enum: CallListing.statuses)),
            .query("follow_up_status", .string(enum: CallRecord.FollowUp.all)),
            .query("phone", .string(minLength: 1), "the customer's number, any form the normaliser accepts"),
            .query("since", .timeOrDurationAgo, "recorded at or after"),
            .query("limit", .integer(minimum: 1, maximum: Int64(CallListing.maxLimit)), "page size (default \(CallListing.defaultLimit))"),
            .query("after", .integer(minimum: 1), "the previous page's `next`"),
        ],
        responses: [
            .json(200, "a page of calls", .object(["calls": .array(of: call),
                                                   "next": .string(description: "the `after` of the next (older) page").nullable()])),
            .error(400, "a bad filter (the message names it)"),
        ])

    static let followUp = RouteDoc(
        summary: "Send a failed or skipped follow-up again now, ignoring the cooldown",
        security: .admin,
        parameters: [.path("call", .string(minLength: 1), "the call's `call_uuid` or `call_id`")],
        responses: [
            .json(202, "the follow-up is scheduled", .object(["call": .string(), "follow_up_status": .string(enum: CallRecord.FollowUp.all)])),
            .error(404, "no such call"),
            .error(409, "not retryable in its state (`not_retryable`), or `follow_up` is not configured (`follow_up_disabled`)"),
        ])
}
