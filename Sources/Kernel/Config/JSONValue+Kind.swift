extension JSONValue {
    /// The value's kind as error messages name it (`a string`, `an integer`, `null`), so every
    /// "expected …, got …" message reads the same wherever it comes from.
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
