import PluginAPI

/// The call fields templates may name. A placeholder outside this list is allowed (the admin's
/// workflow template may send any member) but warned about at boot, since only a webhook that
/// carries it can fill it.
enum CallFields {
    /// Members of the recommended workflow template and values of `GET /calls/{id}`.
    static let known: Set<String> = [
        "call_id", "call_uuid", "direction", "status", "external_number", "internal_number", "internal_number_name",
        "contact_id", "contact_name", "agent_id", "agent_name", "agent_email", "started_at", "answered_at", "ended_at",
        "waiting_time", "talking_time", "wrapup_time", "is_voicemail", "recording_url", "tags",
    ]

    /// The payload's values with the ones this plugin normalised put over them: numbers in
    /// E.164, CloudTalk's words for direction and status, durations in whole seconds.
    static func merge(_ payload: CallPayload, external: PhoneNumber?, internalPhone: PhoneNumber?) -> [String: String] {
        var fields = payload.fields
        fields["external_number"] = external?.e164 ?? fields["external_number"]
        fields["internal_number"] = internalPhone?.e164 ?? fields["internal_number"]
        if let direction = payload.direction { fields["direction"] = direction }
        if let status = payload.status { fields["status"] = status }
        if let talkingTime = payload.talkingTime { fields["talking_time"] = String(talkingTime) }
        if !payload.tags.isEmpty { fields["tags"] = payload.tags.joined(separator: ", ") }
        return fields
    }
}
