import FoundationEssentials
import PluginAPI

/// What one `StrictDecoder.decode` call shares across its containers: the keys each object
/// was asked for, path rendering, and the conversion of failures into `ConfigError`.
/// Lives for one synchronous decode on one thread, so it is a plain class.
final class StrictDecodingSession {
    let rootPath: String
    /// Keys asked for, by the path of each object some type opened as a keyed container.
    /// Keyed by path rather than container so two containers over one object (a subclass and
    /// its superclass) share the record.
    private var requestedKeys: [[JSONPathComponent]: Set<String>] = [:]

    init(rootPath: String) {
        self.rootPath = rootPath
    }

    // MARK: key tracking

    func openedObject(at path: [JSONPathComponent]) {
        if requestedKeys[path] == nil { requestedKeys[path] = [] }
    }

    func requested(_ key: String, inObjectAt path: [JSONPathComponent]) {
        requestedKeys[path, default: []].insert(key)
    }

    /// The first key, in document order, of an object that was opened but never asked for
    /// that key. Members of unknown keys are not searched: the unknown key is the error.
    func firstUnrequestedKey(in value: JSONValue, at path: [JSONPathComponent]) -> [JSONPathComponent]? {
        switch value {
        case .object(let members):
            let requested = requestedKeys[path]
            for member in members {
                let memberPath = path + [.key(member.key)]
                if let requested, !requested.contains(member.key) { return memberPath }
                if let found = firstUnrequestedKey(in: member.value, at: memberPath) { return found }
            }
            return nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = firstUnrequestedKey(in: item, at: path + [.index(index)]) { return found }
            }
            return nil
        default:
            return nil
        }
    }

    // MARK: paths and errors

    func components(_ codingPath: [any CodingKey]) -> [JSONPathComponent] {
        codingPath.map { key in
            if let index = (key as? StrictCodingKey)?.index { return .index(index) }
            return .key(key.stringValue)
        }
    }

    func path(_ codingPath: [any CodingKey]) -> String {
        JSONPath.render(rootPath, components(codingPath))
    }

    /// `expected <what>, got <kind>` at `codingPath`.
    func mismatch(expected what: String, got value: JSONValue, at codingPath: [any CodingKey]) -> ConfigError {
        ConfigError(path: path(codingPath), "expected \(what), got \(value.kindDescription)")
    }

    // MARK: decoding one value

    /// Decodes the value at `codingPath`, converting whatever the type throws into a
    /// `ConfigError` that names the path. Errors from deeper values arrive already converted.
    func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, codingPath: [any CodingKey]) throws -> T {
        if T.self == URL.self, let url = try decodeURL(value, codingPath: codingPath) as? T { return url }
        do {
            return try T(from: StrictValueDecoder(session: self, value: value, codingPath: codingPath))
        } catch let error as ConfigError {
            guard error.path.isEmpty else { throw error }
            throw ConfigError(path: path(codingPath), error.message)
        } catch let error as DecodingError {
            throw configError(from: error, decoding: T.self, at: codingPath)
        } catch {
            throw ConfigError(path: path(codingPath), String(describing: error))
        }
    }

    private func decodeURL(_ value: JSONValue, codingPath: [any CodingKey]) throws -> URL {
        guard case .string(let text) = value else { throw mismatch(expected: "a string", got: value, at: codingPath) }
        guard let url = URL(string: text), url.scheme != nil else {
            throw ConfigError(path: path(codingPath), "expected an absolute url")
        }
        return url
    }

    private func configError<T>(from error: DecodingError, decoding type: T.Type, at codingPath: [any CodingKey]) -> ConfigError {
        switch error {
        case .keyNotFound(let key, let context):
            return ConfigError(path: path(context.codingPath + [key]), "missing required key")
        case .dataCorrupted(let context):
            // The standard library's message for a bad raw value ("Cannot initialize Mode from
            // invalid String value fast2") is capitalised and echoes the value: list the valid ones.
            if T.self is any RawRepresentable.Type, context.codingPath.count == codingPath.count,
               context.debugDescription.hasPrefix("Cannot initialize") {
                return ConfigError(path: path(codingPath), Self.rawValueMessage(T.self))
            }
            return ConfigError(path: path(context.codingPath), context.debugDescription)
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return ConfigError(path: path(context.codingPath), context.debugDescription)
        @unknown default:
            return ConfigError(path: path(codingPath), String(describing: error))
        }
    }

    /// `expected one of "a", "b"` for a case-iterable enum, `invalid value` otherwise.
    static func rawValueMessage<T>(_ type: T.Type) -> String {
        guard let iterable = T.self as? any CaseIterable.Type else { return "invalid value" }
        return "expected one of " + rawValues(of: iterable).joined(separator: ", ")
    }

    private static func rawValues<C: CaseIterable>(of type: C.Type) -> [String] {
        C.allCases.map { value in
            guard let raw = (value as? any RawRepresentable)?.rawValue else { return "\(value)" }
            return raw is String ? "\"\(raw)\"" : "\(raw)"
        }
    }
}
