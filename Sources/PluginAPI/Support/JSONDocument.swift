import FoundationEssentials

/// Any JSON value, for plugins: config data, provider payloads, answers and what is sent back.
/// Integers stay integers (`4`, not `4.0`) so values round-trip as they arrived. (Plugins
/// usually alias it: `typealias JSONDocument = JSONDocument`.)
public enum JSONDocument: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONDocument])
    case object([String: JSONDocument])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Order matters: a JSON integer also decodes as a Double, and the kernel's strict config
        // decoder refuses `true` as a number, so the narrow types go first.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONDocument].self) {
            self = .array(value)
        } else {
            // Last: let the object's own error (a bad member deep inside) be the one reported.
            self = .object(try container.decode([String: JSONDocument].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The members when this is an object, else nil.
    public var objectValue: [String: JSONDocument]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The text when this is a string, else nil.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

/// Compact JSON text and bytes for the values above (keys sorted, `/` unescaped, UTF-8 raw).
public enum JSONText {
    public static func bytes<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    public static func string<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try bytes(value), as: UTF8.self)
    }

    /// Decodes `T` from UTF-8 JSON bytes.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
