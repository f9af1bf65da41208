import PluginAPI

/// Reads the small JSON objects jobs and events carry (`{"call": 12}`, `message.*` payloads).
struct JobPayloadReader {
    let object: [String: JSONDocument]

    init(_ text: String) throws {
        guard let object = (try? JSONText.decode(JSONDocument.self, from: Array(text.utf8)))?.objectValue else {
            throw PermanentJobError("payload is not a JSON object")
        }
        self.object = object
    }

    func optionalInt(_ key: String) -> Int64? {
        if case .integer(let value)? = object[key] { return value }
        return nil
    }

    func int(_ key: String) throws -> Int64 {
        guard let value = optionalInt(key) else { throw PermanentJobError("payload has no integer \(key)") }
        return value
    }

    func string(_ key: String) -> String? { object[key]?.stringValue }

    func bool(_ key: String) -> Bool? {
        if case .bool(let value)? = object[key] { return value }
        return nil
    }
}
