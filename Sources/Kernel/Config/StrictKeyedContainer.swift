import PluginAPI

/// A keyed container over one JSON object. Every lookup records the key as asked for, which
/// is how `StrictDecoder` finds the keys nobody asked for.
struct StrictKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let session: StrictDecodingSession
    let members: [(key: String, value: JSONValue)]
    let codingPath: [any CodingKey]
    /// This object's path, as the session tracks it.
    private let objectPath: [JSONPathComponent]
    /// Member positions by key; the first wins should a hand-built value repeat a key.
    private let positions: [String: Int]

    init(session: StrictDecodingSession, members: [(key: String, value: JSONValue)], codingPath: [any CodingKey]) {
        self.session = session
        self.members = members
        self.codingPath = codingPath
        objectPath = session.components(codingPath)
        var positions: [String: Int] = [:]
        for (index, member) in members.enumerated() where positions[member.key] == nil {
            positions[member.key] = index
        }
        self.positions = positions
        session.openedObject(at: objectPath)
    }

    var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }

    func contains(_ key: Key) -> Bool {
        lookup(key) != nil
    }

    /// The member for `key` (recording the request), or nil when absent.
    private func lookup(_ key: Key) -> JSONValue? {
        session.requested(key.stringValue, inObjectAt: objectPath)
        return positions[key.stringValue].map { members[$0].value }
    }

    private func required(_ key: Key) throws -> JSONValue {
        guard let value = lookup(key) else {
            throw ConfigError(path: session.path(codingPath + [key]), "missing required key")
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        try required(key) == .null
    }

    /// Every `decode` overload lands here; the primitive rules live in the single-value container.
    private func decodeValue<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try session.decode(type, from: required(key), codingPath: codingPath + [key])
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decodeValue(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decodeValue(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decodeValue(type, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decodeValue(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decodeValue(type, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decodeValue(type, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decodeValue(type, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decodeValue(type, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decodeValue(type, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decodeValue(type, forKey: key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decodeValue(type, forKey: key) }

    /// Nil for a missing key or `null` (the primitive overloads reach the same rule through
    /// the standard library's defaults, which call `contains` and `decodeNil`).
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = lookup(key), value != .null else { return nil }
        return try session.decode(type, from: value, codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try StrictValueDecoder(session: session, value: required(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try StrictValueDecoder(session: session, value: required(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    /// A decoder for the `super` member, over `null` when absent (as `JSONDecoder` does).
    func superDecoder() throws -> any Decoder {
        session.requested(StrictCodingKey.superKey.stringValue, inObjectAt: objectPath)
        let value = positions[StrictCodingKey.superKey.stringValue].map { members[$0].value } ?? .null
        return StrictValueDecoder(session: session, value: value, codingPath: codingPath + [StrictCodingKey.superKey])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        StrictValueDecoder(session: session, value: lookup(key) ?? .null, codingPath: codingPath + [key])
    }
}
