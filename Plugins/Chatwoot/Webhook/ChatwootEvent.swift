import Foundation

/// A Chatwoot webhook body, read loosely: the shapes differ between Chatwoot versions and
/// events, so fields are looked up by path in the decoded JSON rather than through a fixed model.
struct ChatwootEvent {
    let root: [String: Any]

    init(body: [UInt8]) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw Malformed(description: "the body is not a JSON object")
        }
        root = object
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    var name: String? { root["event"] as? String }

    /// The value at a path of object keys (`conversation.meta.sender.phone_number`).
    func value(_ path: String, in object: [String: Any]? = nil) -> Any? {
        var current: Any? = object ?? root
        for key in path.split(separator: ".") {
            current = (current as? [String: Any])?[String(key)]
        }
        return current
    }

    func string(_ path: String) -> String? {
        switch value(path) {
        case let text as String: text.isEmpty ? nil : text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    /// `message_type` as Chatwoot writes it at the top level ("incoming") or nested (0).
    var isIncoming: Bool {
        switch value("message_type") {
        case let text as String: text == "incoming"
        case let number as NSNumber: number.intValue == 0
        default: false
        }
    }

    var isPrivate: Bool { (value("private") as? Bool) ?? false }

    /// The contact's phone as Chatwoot holds it: the sender (a contact on incoming messages),
    /// the conversation's contact, or a WhatsApp inbox's source id (digits without `+`).
    var phoneText: String? {
        if isIncoming || name?.hasPrefix("message_") != true, let phone = string("sender.phone_number") { return phone }
        if let phone = string("conversation.meta.sender.phone_number") ?? string("meta.sender.phone_number") { return phone }
        if name?.hasPrefix("contact_") == true, let phone = string("phone_number") { return phone }
        if let channel = string("conversation.channel") ?? string("channel"), channel == "Channel::Whatsapp",
           let digits = string("conversation.contact_inbox.source_id") ?? string("contact_inbox.source_id"),
           (1...15).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return "+" + digits
        }
        return nil
    }

    /// The contact id the event is about.
    var contactID: String? {
        if name?.hasPrefix("contact_") == true { return string("id") }
        return string("conversation.meta.sender.id") ?? string("meta.sender.id") ?? (isIncoming ? string("sender.id") : nil)
    }

    /// The conversation's display id.
    var conversationID: String? {
        name?.hasPrefix("conversation_") == true ? string("id") : string("conversation.id")
    }

    /// The first string under a `flow_token` key anywhere in `content_attributes`: where it sits
    /// differs between Chatwoot versions (`whatsapp_flow_response.flow_token`, a nested response…).
    var flowToken: String? { Self.find("flow_token", in: value("content_attributes")) }

    static func find(_ key: String, in value: Any?) -> String? {
        if let object = value as? [String: Any] {
            if let found = object[key] as? String, !found.isEmpty { return found }
            for nested in object.values { if let found = find(key, in: nested) { return found } }
        } else if let array = value as? [Any] {
            for item in array { if let found = find(key, in: item) { return found } }
        } else if let text = value as? String, text.hasPrefix("{"), text.contains(key),
                  let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) {
            // A response kept as JSON text (Meta's `response_json` passed through).
            return find(key, in: object)
        }
        return nil
    }

    /// Unix milliseconds of `created_at` (ISO text at the top level, seconds when nested).
    var createdAtMillis: Int64? {
        switch value("created_at") {
        case let number as NSNumber: return number.int64Value * 1000
        case let text as String:
            let date = (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) ?? (try? Date(text, strategy: .iso8601))
            return date.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        default: return nil
        }
    }
}
