import PluginAPI

/// One row of `cloudtalk_calls`, as the follow-up, the reply tracker and the listing read it.
struct CallRecord: Sendable {
    /// Our row id.
    var id: Int64
    var callID: String?
    var callUUID: String?
    var direction: String?
    /// E.164, when the webhook's number was one.
    var externalNumber: String?
    var internalNumber: String?
    var agentID: String?
    var agentName: String?
    var status: String?
    var talkingTime: Int64?
    var tags: [String]
    /// Placeholder values: the payload's scalars, normalised values and the API's details.
    var fields: [String: String]
    var enrichment: String
    var shouldSend: Bool
    var decision: String?
    var followUpStatus: String
    var followUpDueAt: Int64?
    var followUpMessageID: Int64?
    var followUpError: String?
    var followUpSentAt: Int64?
    var repliedAt: Int64?
    var documentReceived: Bool
    var receivedAt: Int64
    var createdAt: Int64

    /// Follow-up states, as `follow_up_status` answers them.
    enum FollowUp {
        static let none = "none"
        static let scheduled = "scheduled"
        static let sent = "sent"
        static let failed = "failed"
        static let skipped = "skipped"
        static let all = [none, scheduled, sent, failed, skipped]
    }

    init(row: Row) throws {
        id = try row.int("id")
        callID = try row.optionalString("call_id")
        callUUID = try row.optionalString("call_uuid")
        direction = try row.optionalString("direction")
        externalNumber = try row.optionalString("external_number")
        internalNumber = try row.optionalString("internal_number")
        agentID = try row.optionalString("agent_id")
        agentName = try row.optionalString("agent_name")
        status = try row.optionalString("status")
        talkingTime = try row.optionalInt("talking_time")
        tags = CallPayload.tags(.string(try row.string("tags")))
        fields = (try? JSONText.decode([String: String].self, from: Array(try row.string("fields").utf8))) ?? [:]
        enrichment = try row.string("enrichment")
        shouldSend = try row.bool("should_send")
        decision = try row.optionalString("decision")
        followUpStatus = try row.string("follow_up_status")
        followUpDueAt = try row.optionalInt("follow_up_due_at")
        followUpMessageID = try row.optionalInt("follow_up_message_id")
        followUpError = try row.optionalString("follow_up_error")
        followUpSentAt = try row.optionalInt("follow_up_sent_at")
        repliedAt = try row.optionalInt("replied_at")
        documentReceived = try row.bool("document_received")
        receivedAt = try row.int("received_at")
        createdAt = try row.int("created_at")
    }

    static func load(_ id: Int64, in db: any SQLConnection) throws -> CallRecord? {
        try db.queryOne(CallSQL.load, id).map(CallRecord.init(row:))
    }
}
