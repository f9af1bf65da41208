import PluginAPI

/// The primitive rules: every standard type's `init(from:)` ends here, whichever container
/// it came through.
extension StrictValueDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let bool) = value else { throw session.mismatch(expected: "a boolean", got: value, at: codingPath) }
        return bool
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let string) = value else { throw session.mismatch(expected: "a string", got: value, at: codingPath) }
        return string
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .integer(let integer): return Double(integer)
        case .double(let double): return double
        default: throw session.mismatch(expected: "a number", got: value, at: codingPath)
        }
    }

    func decode(_ type: Float.Type) throws -> Float {
        let float = Float(try decode(Double.self))
        guard float.isFinite else { throw ConfigError(path: session.path(codingPath), "out of range") }
        return float
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: Int128.Type) throws -> Int128 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try session.decode(type, from: value, codingPath: codingPath)
    }

    /// Integers come only from JSON integers, so `1.5` or `"3"` is a type error rather than
    /// something silently truncated or parsed.
    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        switch value {
        case .integer(let integer):
            guard let exact = I(exactly: integer) else { throw ConfigError(path: session.path(codingPath), "out of range") }
            return exact
        case .double(let double) where double.isFinite && double == double.rounded() && double.magnitude >= 0x1p63:
            // The parser keeps integers beyond Int64 as doubles: they are integers, just too large.
            throw ConfigError(path: session.path(codingPath), "out of range")
        default:
            throw session.mismatch(expected: "an integer", got: value, at: codingPath)
        }
    }
}
