import Foundation
import PluginAPI

/// One Wasender webhook delivery, `{event, timestamp?, sessionId?, data}`, read loosely:
/// Wasender's shapes vary (an object or an array of messages, seconds or milliseconds), and a
/// field we cannot read is left out rather than failing the delivery.
struct WasenderEvent {
    enum Kind { case message, status, session, other }

    /// An inbound (or echoed outbound) message.
    struct Message {
        var id: String?
        var fromMe: Bool
        /// Digits of the sender's phone, never taken from an `@lid` or group address.
        var phoneDigits: String?
        /// What to record as the sender when there is no phone (`…@lid`, the jid).
        var senderID: String?
        var text: String?
        /// `image`, `video`, `document`, `audio`, `sticker`… for media messages.
        var mediaType: String?
        var mediaURL: String?
        /// Unix milliseconds.
        var at: Int64?
        /// The item's JSON (sorted keys).
        var json: String?
    }

    struct Status {
        var id: String
        var status: String
    }

    var name: String
    var kind: Kind
    var messages: [Message] = []
    var statuses: [Status] = []
    /// `session.status`: `connected`, `disconnected`, `need_scan`.
    var sessionStatus: String?

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    init(body: [UInt8]) throws {
        guard let root = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw Malformed(description: "not a JSON object")
        }
        guard let name = root["event"] as? String else { throw Malformed(description: "no event name") }
        self.name = name
        let data = root["data"]
        let envelopeAt = Self.millis(root["timestamp"])
        switch name {
        // Not `message.sent`: it reports our own send, whose shape need not say `fromMe`.
        case "messages.received", "messages.upsert", "messages-personal.received", "messages-group.received":
            kind = .message
            // `data.messages` is an object or an array; some deliveries put the item in `data` itself.
            let dataObject = data as? [String: Any]
            let holder: Any? = dataObject?["messages"] ?? data
            let items = (holder as? [Any]) ?? (holder.map { [$0] } ?? [])
            messages = items.compactMap { ($0 as? [String: Any]).map { Self.message($0, envelopeAt: envelopeAt) } }
        case "messages.update", "message-receipt.update":
            kind = .status
            let items = (data as? [Any]) ?? (data.map { [$0] } ?? [])
            statuses = items.compactMap { ($0 as? [String: Any]).flatMap(Self.status) }
        case "session.status":
            kind = .session
            sessionStatus = (data as? [String: Any])?["status"] as? String
        default:
            kind = .other
        }
    }

    /// Wasender's numeric statuses (`messages.update`), and receipts by which timestamp they carry.
    static let statusNames = [0: "failed", 1: "pending", 2: "sent", 3: "delivered", 4: "read", 5: "played"]

    static func status(_ item: [String: Any]) -> Status? {
        guard let id = (item["key"] as? [String: Any])?["id"] as? String, !id.isEmpty else { return nil }
        if let update = item["update"] as? [String: Any] {
            if let code = (update["status"] as? NSNumber)?.intValue, let name = statusNames[code] { return Status(id: id, status: name) }
            if let name = update["status"] as? String, !name.isEmpty { return Status(id: id, status: name.lowercased()) }
        }
        if let receipt = item["receipt"] as? [String: Any] {
            if receipt["readTimestamp"] != nil || receipt["playedTimestamp"] != nil { return Status(id: id, status: "read") }
            if receipt["receiptTimestamp"] != nil { return Status(id: id, status: "delivered") }
        }
        return nil
    }

    static let mediaKinds = ["imageMessage", "videoMessage", "documentMessage", "documentWithCaptionMessage", "audioMessage",
                             "stickerMessage"]

    static func message(_ item: [String: Any], envelopeAt: Int64?) -> Message {
        let key = item["key"] as? [String: Any] ?? [:]
        let content = item["message"] as? [String: Any] ?? [:]
        var message = Message(id: key["id"] as? String, fromMe: (key["fromMe"] as? Bool) ?? false)
        message.phoneDigits = phoneDigits(key)
        message.senderID = (key["senderLid"] as? String) ?? (key["remoteJid"] as? String)
        message.text = nonEmpty(item["messageBody"]) ?? nonEmpty(content["conversation"])
            ?? nonEmpty((content["extendedTextMessage"] as? [String: Any])?["text"])
        if let kind = mediaKinds.first(where: { content[$0] != nil }) {
            let media = content[kind] as? [String: Any] ?? [:]
            message.mediaType = String(kind.dropLast("Message".count)).replacingOccurrences(of: "WithCaption", with: "")
            message.mediaURL = nonEmpty(media["url"])
            message.text = message.text ?? nonEmpty(media["caption"])
        }
        message.at = millis(item["messageTimestamp"]) ?? envelopeAt
        if let data = try? JSONSerialization.data(withJSONObject: item, options: [.sortedKeys, .withoutEscapingSlashes]) {
            message.json = String(decoding: data, as: UTF8.self)
        }
        return message
    }

    /// `cleanedSenderPn`, then `senderPn`, then `remoteJid`, with `@…` stripped; an `@lid`
    /// (a WhatsApp privacy id) or a group address is never a phone number.
    static func phoneDigits(_ key: [String: Any]) -> String? {
        for field in ["cleanedSenderPn", "senderPn", "remoteJid"] {
            guard let value = key[field] as? String, !value.isEmpty else { continue }
            if let at = value.firstIndex(of: "@") {
                let domain = value[value.index(after: at)...]
                guard domain == "s.whatsapp.net" || domain == "c.us" else { continue }
                return digitsOnly(String(value[..<at]))
            }
            if let digits = digitsOnly(value) { return digits }
        }
        return nil
    }

    /// The number without a leading `+` or a `:device` suffix; nil unless all digits.
    static func digitsOnly(_ text: String) -> String? {
        var value = text.hasPrefix("+") ? String(text.dropFirst()) : text
        if let colon = value.firstIndex(of: ":") { value = String(value[..<colon]) }
        guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return value
    }

    static func nonEmpty(_ value: Any?) -> String? {
        guard let text = value as? String, !text.isEmpty else { return nil }
        return text
    }

    /// A Unix time in seconds or milliseconds (a number or a numeric string) as milliseconds:
    /// below 10^11 it is seconds (10^11 s is the year 5138; 10^11 ms is 1973).
    static func millis(_ value: Any?) -> Int64? {
        let number: Double?
        if let n = value as? NSNumber, !(n is Bool) { number = n.doubleValue } else if let s = value as? String { number = Double(s) } else { number = nil }
        guard let number, number.isFinite, number > 0, number < 1e15 else { return nil }
        return number < 1e11 ? Int64(number * 1000) : Int64(number)
    }
}
