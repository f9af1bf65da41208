/// The `Decoder` over one `JSONValue`. It is also its own single-value container, since a
/// single value needs nothing but the value and its path.
struct StrictValueDecoder: Decoder {
    let session: StrictDecodingSession
    let value: JSONValue
    let codingPath: [any CodingKey]

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw session.mismatch(expected: "an object", got: value, at: codingPath)
        }
        return KeyedDecodingContainer(StrictKeyedContainer<Key>(session: session, members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else {
            throw session.mismatch(expected: "an array", got: value, at: codingPath)
        }
        return StrictUnkeyedContainer(session: session, items: items, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
}
