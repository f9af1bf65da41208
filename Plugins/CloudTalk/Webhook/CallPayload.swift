import PluginAPI

/// One CloudTalk workflow delivery (`POST /cloudtalk/webhook`), read leniently: the admin
/// templates the body, so every member is optional, numbers come as strings or integers, phone
/// numbers with or without `+`, and an empty value means missing (see `LenientValue`).
struct CallPayload: Sendable {
    /// `event_type` as the template hard-codes it (`call.ended`); nil when the template has none.
    var eventType: String?
    var callID: String?
    var callUUID: String?
    /// `incoming`, `outgoing`, `internal` (CloudTalk's words; `inbound`/`outbound` are mapped).
    var direction: String?
    /// `answered` or `missed`.
    var status: String?
    /// The numbers as they came: a JSON integer or text (normalised later, with the kernel's normaliser).
    var externalNumber: JSONDocument?
    var internalNumber: JSONDocument?
    var agentID: String?
    var talkingTime: Int64?
    var waitingTime: Int64?
    var wrapupTime: Int64?
    var recordingURL: String?
    var tags: [String] = []
    /// Every top-level scalar as text, for template placeholders (the secret members left out).
    var fields: [String: String] = [:]
    /// The body as JSON with the secret members left out, keys sorted.
    var rawJSON: String

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// Members that may carry the shared token (integrators put it in the body too): never
    /// stored with the call nor offered to templates.
    static let secretMembers: Set<String> = ["secret", "token", "webhook_token", "api_key", "api_key_secret"]

    init(body: [UInt8]) throws(Malformed) {
        guard let document = try? JSONText.decode(JSONDocument.self, from: body), var object = document.objectValue else {
            throw Malformed(description: "not a JSON object")
        }
        for key in Self.secretMembers { object.removeValue(forKey: key) }
        rawJSON = (try? JSONText.string(JSONDocument.object(object))) ?? "{}"
        for (key, value) in object {
            if let text = LenientValue.text(value) { fields[key] = text }
        }
        eventType = LenientValue.text(object["event_type"])
        callID = LenientValue.text(object["call_id"])
        callUUID = LenientValue.text(object["call_uuid"])
        direction = LenientValue.text(object["direction"]).map(Self.direction)
        status = LenientValue.text(object["status"]).flatMap(Self.status)
        externalNumber = LenientValue.text(object["external_number"]) == nil ? nil : object["external_number"]
        internalNumber = LenientValue.text(object["internal_number"]) == nil ? nil : object["internal_number"]
        agentID = LenientValue.text(object["agent_id"])
        talkingTime = LenientValue.seconds(object["talking_time"])
        waitingTime = LenientValue.seconds(object["waiting_time"])
        wrapupTime = LenientValue.seconds(object["wrapup_time"])
        recordingURL = LenientValue.text(object["recording_url"])
        tags = Self.tags(object["tags"])
        // A call CloudTalk reports without status but with a talk time: answered when it was talked.
        if status == nil, let talkingTime { status = talkingTime > 0 ? "answered" : "missed" }
        if status == nil, LenientValue.bool(object["is_voicemail"]) == true { status = "missed" }
    }

    /// Whether this delivery is a call that ended (the template's `event_type`, or none at all).
    var isCallEnded: Bool { eventType == nil || eventType == "call.ended" }

    /// The key a redelivery shares: `call_uuid`, else `call_id`; nil when there is neither.
    var dedupeKey: String? {
        let base = callUUID.map { "uuid:\($0)" } ?? callID.map { "id:\($0)" }
        guard let base else { return nil }
        return isCallEnded ? base : "\(eventType ?? ""):\(base)"
    }

    static func direction(_ text: String) -> String {
        switch text.lowercased() {
        case "incoming", "inbound", "in": "incoming"
        case "outgoing", "outbound", "out": "outgoing"
        case let other: other
        }
    }

    static func status(_ text: String) -> String? {
        switch text.lowercased() {
        case "answered", "completed", "success": "answered"
        case "missed", "unanswered", "no-answer", "no_answer", "busy", "failed", "voicemail", "abandoned": "missed"
        default: nil
        }
    }

    /// `"Lead, VIP"`, `["Lead", "VIP"]` or `[{"name": "Lead"}]`.
    static func tags(_ value: JSONDocument?) -> [String] {
        guard let text = LenientValue.text(value) else { return [] }
        return text.split(separator: ",").map { $0.trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
    }
}
