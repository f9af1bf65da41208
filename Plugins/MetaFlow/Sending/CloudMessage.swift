import PluginAPI

/// How a `ChannelMessage` becomes a Graph `messages` body.
///
/// `payload`, when present, is a JSON object of Graph message fields (`{"type":"template",
/// "template":{…}}`, `{"type":"interactive","interactive":{…}}`), plus two keys of ours the
/// channel removes before posting: `switchboard_flow_token` (the Flow's token, linked to the
/// wamid for phone resolution) and `switchboard_fallback` (Graph fields sent instead when
/// Meta answers 131047, outside the 24-hour window). Without a payload, `text` is a text
/// message and `mediaURL` an image (with the text as caption).
struct CloudMessage: Sendable {
    static let flowTokenKey = "switchboard_flow_token"
    static let fallbackKey = "switchboard_fallback"

    var fields: [String: JSONValue]
    var fallback: [String: JSONValue]?
    var flowToken: String?

    /// Reads a delivery's message; throws `PermanentJobError` for a payload that is not a JSON object.
    init(_ message: ChannelMessage) throws {
        if let payload = message.payload {
            guard let object = (try? JSONText.decode(JSONValue.self, from: Array(payload.utf8)))?.objectValue else {
                throw PermanentJobError("whatsapp_cloud payload is not a JSON object")
            }
            var fields = object
            flowToken = fields.removeValue(forKey: Self.flowTokenKey)?.stringValue
            fallback = fields.removeValue(forKey: Self.fallbackKey)?.objectValue
            self.fields = fields
        } else if let media = message.mediaURL {
            var image: [String: JSONValue] = ["link": .string(media)]
            if let text = message.text { image["caption"] = .string(text) }
            fields = ["type": .string("image"), "image": .object(image)]
        } else if let text = message.text {
            fields = ["type": .string("text"), "text": .object(["body": .string(text)])]
        } else {
            throw PermanentJobError("whatsapp_cloud message has no text, media or payload")
        }
        guard fields["type"]?.stringValue != nil else { throw PermanentJobError("whatsapp_cloud payload has no \"type\"") }
    }

    /// The body to post to `to` (E.164; Graph wants the digits without `+`).
    static func body(_ fields: [String: JSONValue], to phone: String) throws -> [UInt8] {
        var all = fields
        all["messaging_product"] = .string("whatsapp")
        all["recipient_type"] = .string("individual")
        all["to"] = .string(phone.hasPrefix("+") ? String(phone.dropFirst()) : phone)
        return try JSONText.bytes(JSONValue.object(all))
    }

    /// The payload text of Graph `fields` with our keys (what the send route queues).
    static func payload(_ fields: [String: JSONValue], flowToken: String?, fallback: [String: JSONValue]?) throws -> String {
        var all = fields
        if let flowToken { all[flowTokenKey] = .string(flowToken) }
        if let fallback { all[fallbackKey] = .object(fallback) }
        return try JSONText.string(JSONValue.object(all))
    }
}
