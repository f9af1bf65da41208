import PluginAPI

/// What `GET /calls/{id}` says about a call, read as leniently as the webhook (ids as strings
/// or integers; the object bare or inside `responseData`).
struct CallDetails: Sendable, Equatable {
    var direction: String?
    var status: String?
    var talkingTime: Int64?
    var waitingTime: Int64?
    var wrapupTime: Int64?
    var contactNumber: JSONDocument?
    var internalNumber: JSONDocument?
    var agentID: String?
    var agentName: String?
    var tags: [String] = []
    /// Template fields this answer fills.
    var fields: [String: String] = [:]

    init?(body: [UInt8]) {
        guard let root = (try? JSONText.decode(JSONDocument.self, from: body))?.objectValue else { return nil }
        let call = root["responseData"]?.objectValue ?? root
        guard call["cdr_id"] != nil || call["uuid"] != nil || call["call_times"] != nil else { return nil }
        direction = LenientValue.text(call["direction"]).map(CallPayload.direction)
        status = LenientValue.text(call["status"]).flatMap(CallPayload.status)
        let times = call["call_times"]?.objectValue ?? [:]
        talkingTime = LenientValue.seconds(times["talking_time"])
        waitingTime = LenientValue.seconds(times["waiting_time"])
        wrapupTime = LenientValue.seconds(times["wrap_up_time"])
        let contact = call["contact"]?.objectValue ?? [:]
        contactNumber = LenientValue.text(contact["number"]) == nil ? nil : contact["number"]
        let internalObject = call["internal_number"]?.objectValue ?? [:]
        internalNumber = LenientValue.text(internalObject["number"]) == nil ? nil : internalObject["number"]
        var tagItems: [JSONDocument] = []
        if case .array(let items)? = call["call_tags"] { tagItems = items }
        tags = tagItems.compactMap { LenientValue.text($0.objectValue?["label"]) ?? LenientValue.text($0.objectValue?["name"]) }
        (agentID, agentName) = Self.agent(call["call_steps"])
        fields["contact_id"] = LenientValue.text(contact["id"])
        fields["contact_name"] = LenientValue.text(contact["name"])
        fields["internal_number_name"] = LenientValue.text(internalObject["name"])
        fields["agent_id"] = agentID
        fields["agent_name"] = agentName
        fields["started_at"] = LenientValue.text(call["date"])
        fields["status"] = status
        fields["direction"] = direction
        fields["talking_time"] = talkingTime.map { String($0) }
        fields["waiting_time"] = waitingTime.map { String($0) }
        fields["wrapup_time"] = wrapupTime.map { String($0) }
        if !tags.isEmpty { fields["tags"] = tags.joined(separator: ", ") }
        fields = fields.filter { !$0.value.isEmpty }
    }

    /// The agent who answered (the last answered agent call of any step), else the last one rung.
    static func agent(_ steps: JSONDocument?) -> (String?, String?) {
        guard case .array(let steps)? = steps else { return (nil, nil) }
        var answered: (String?, String?)?
        var rung: (String?, String?)?
        for step in steps {
            guard case .array(let calls)? = step.objectValue?["agent_calls"] else { continue }
            for call in calls {
                guard let object = call.objectValue else { continue }
                let agent = (LenientValue.text(object["id"]), LenientValue.text(object["name"]))
                guard agent.0 != nil || agent.1 != nil else { continue }
                rung = agent
                if LenientValue.text(object["status"]) == "answered" { answered = agent }
            }
        }
        return answered ?? rung ?? (nil, nil)
    }
}
