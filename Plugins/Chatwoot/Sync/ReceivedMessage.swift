import Foundation
import PluginAPI

/// The `message.received` event payload (the kernel's message log entry) as CRM sync reads it.
struct ReceivedMessage: Sendable {
    let fields: [String: JSONValue]

    init(json: String) throws {
        guard let object = (try? JSONText.decode(JSONValue.self, from: Array(json.utf8)))?.objectValue else {
            throw PermanentJobError("message.received payload is not a JSON object")
        }
        fields = object
    }

    var channel: String { fields["channel"]?.stringValue ?? "" }
    var phone: String { fields["phone"]?.stringValue ?? "" }

    /// The provider's message (`payload`, JSON text), parsed; nil when absent or not JSON.
    var providerMessage: JSONValue? {
        guard let text = fields["payload"]?.stringValue else { return nil }
        return try? JSONText.decode(JSONValue.self, from: Array(text.utf8))
    }

    /// The sender's WhatsApp profile name when the provider's message carries one
    /// (Wasender `pushName`, a Cloud API `profile.name`).
    var profileName: String? {
        guard let message = providerMessage else { return nil }
        let name = Self.find(message) { key, value in
            key == "pushName" || key == "notifyName" ? value.stringValue : (key == "profile" ? value.objectValue?["name"]?.stringValue : nil)
        }
        return name.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The value of a configured attribute field, as Chatwoot should store it.
    func value(of field: SyncSettings.Field) -> JSONValue? {
        switch field {
        case .event(let name):
            guard let value = fields[name], value != .null else { return nil }
            return value
        case .payload(let path):
            var current = providerMessage
            for key in path { current = current?.objectValue?[key] }
            switch current {
            case nil, .null?, .object?, .array?: return nil
            case let scalar?: return scalar
            }
        }
    }

    private static func find(_ value: JSONValue, _ match: (String, JSONValue) -> String?) -> String? {
        switch value {
        case .object(let members):
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                if let found = match(key, member) { return found }
            }
            for (_, member) in members.sorted(by: { $0.key < $1.key }) {
                if let found = find(member, match) { return found }
            }
        case .array(let items):
            for item in items { if let found = find(item, match) { return found } }
        default: break
        }
        return nil
    }
}
