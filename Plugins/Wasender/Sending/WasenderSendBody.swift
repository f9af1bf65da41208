import Foundation
import PluginAPI

/// The JSON body of `send-message`: `{"to","text"}`, with the media URL under the key its
/// kind needs (`imageUrl`, `videoUrl`, `audioUrl`, else `documentUrl`), and a JSON-object
/// payload's members added (a `contact`, a `location`, an explicit `imageUrl`…; `to` stays ours).
enum WasenderSendBody {
    static func encode(_ message: ChannelMessage, to: String) throws -> [UInt8] {
        var body: [String: Any] = [:]
        if let payload = message.payload {
            guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] else {
                throw PermanentJobError("wasender message payload is not a JSON object")
            }
            body = object
        }
        body["to"] = to
        if let text = message.text { body["text"] = text }
        if let url = message.mediaURL { body[mediaKey(url)] = url }
        guard body["text"] != nil || body.keys.contains(where: { $0 != "to" }) else {
            throw PermanentJobError("wasender message has nothing to send (no text, media or payload)")
        }
        do {
            return Array(try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes]))
        } catch {
            throw PermanentJobError("wasender message payload cannot be encoded: \(error)")
        }
    }

    /// The body key for a media URL, from its file extension.
    static func mediaKey(_ url: String) -> String {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "jpg", "jpeg", "png", "webp", "gif": return "imageUrl"
        case "mp4", "3gp", "mov": return "videoUrl"
        case "mp3", "ogg", "opus", "aac", "m4a", "amr": return "audioUrl"
        default: return "documentUrl"
        }
    }
}
