import PluginAPI

/// The payload of `call.ended`, published once per call when its webhook is first processed:
/// what the webhook said, numbers normalised (E.164, or null when the webhook's was not a phone).
enum CallEndedEvent {
    static let name = "call.ended"

    static func json(_ payload: CallPayload, external: PhoneNumber?, internalPhone: PhoneNumber?, receivedAt: Int64) -> String {
        func text(_ value: String?) -> JSONDocument { value.map(JSONDocument.string) ?? .null }
        func int(_ value: Int64?) -> JSONDocument { value.map(JSONDocument.integer) ?? .null }
        let body = JSONDocument.object([
            "call_id": text(payload.callID), "call_uuid": text(payload.callUUID), "direction": text(payload.direction),
            "status": text(payload.status), "external_number": text(external?.e164), "internal_number": text(internalPhone?.e164),
            "agent_id": text(payload.agentID), "talking_time": int(payload.talkingTime), "waiting_time": int(payload.waitingTime),
            "recording_url": text(payload.recordingURL), "tags": .array(payload.tags.map(JSONDocument.string)),
            "received_at": .integer(receivedAt),
        ])
        return (try? JSONText.string(body)) ?? "{}"
    }
}
