import PluginAPI

/// An unkeyed container over one JSON array; element paths render as `[index]`.
struct StrictUnkeyedContainer: UnkeyedDecodingContainer {
    let session: StrictDecodingSession
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(session: StrictDecodingSession, items: [JSONValue], codingPath: [any CodingKey]) {
        self.session = session
        self.items = items
        self.codingPath = codingPath
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private var currentKey: StrictCodingKey { StrictCodingKey(index: currentIndex) }

    /// The current element; the index advances only after it decoded, as the protocol requires.
    private func current() throws -> JSONValue {
        guard !isAtEnd else {
            throw ConfigError(path: session.path(codingPath + [currentKey]), "missing array element")
        }
        return items[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard try current() == .null else { return false }
        currentIndex += 1
        return true
    }

    /// Every `decode` overload lands here; the primitive rules live in the single-value container.
    private mutating func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        let value = try session.decode(type, from: current(), codingPath: codingPath + [currentKey])
        currentIndex += 1
        return value
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try decodeValue(type) }
    mutating func decode(_ type: String.Type) throws -> String { try decodeValue(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try decodeValue(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try decodeValue(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try decodeValue(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try decodeValue(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try decodeValue(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try decodeValue(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try decodeValue(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try decodeValue(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try decodeValue(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try decodeValue(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try decodeValue(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try decodeValue(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try StrictValueDecoder(session: session, value: current(), codingPath: codingPath + [currentKey]).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try StrictValueDecoder(session: session, value: current(), codingPath: codingPath + [currentKey]).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = StrictValueDecoder(session: session, value: try current(), codingPath: codingPath + [currentKey])
        currentIndex += 1
        return decoder
    }
}
