/// A JSON Schema (the subset OpenAPI 3.1 documents need) for a request body, a parameter or an
/// answer, written as a value:
///
///     .object([
///         "id": .integer(minimum: 1),
///         "status": .string(enum: ["queued", "sent", "failed"]),
///         "phone_number": .string(format: "e164").nullable(),
///         "answers": .map(of: .any),
///     ])
///
/// Objects list their properties in order; `required` defaults to every property (answers
/// here always carry every key, with explicit nulls) and `additionalProperties` to false, so
/// a schema says exactly what a client may rely on. Request bodies usually pass `required:`.
/// The kernel renders it into `/openapi.json`; a schema never changes what a route accepts.
public struct JSONSchema: Sendable, Equatable {
    /// One property of an object schema.
    public struct Property: Sendable, Equatable {
        public var name: String
        public var schema: JSONSchema

        public init(_ name: String, _ schema: JSONSchema) {
            self.name = name
            self.schema = schema
        }
    }

    /// What an object allows beyond its listed properties.
    public indirect enum Additional: Sendable, Equatable {
        /// Nothing else (`additionalProperties: false`).
        case forbidden
        /// Any other member (`additionalProperties` left out).
        case allowed
        /// Other members, each matching the schema (`additionalProperties: {…}`).
        case matching(JSONSchema)
    }

    /// The value's type and its type-specific constraints.
    public indirect enum Shape: Sendable, Equatable {
        /// Any JSON value.
        case any
        case object(properties: [Property], required: [String], additional: Additional)
        case array(items: JSONSchema, minItems: Int?, maxItems: Int?)
        /// `format` is an OpenAPI/JSON Schema format (`date-time`, `uri`) or our own (`e164`);
        /// `enum` lists every allowed value.
        case string(format: String?, enum: [String]?, pattern: String?, minLength: Int?, maxLength: Int?)
        case integer(format: String?, minimum: Int64?, maximum: Int64?)
        case number(minimum: Double?, maximum: Double?)
        case boolean
        /// Exactly one of the schemas matches.
        case oneOf([JSONSchema])
    }

    public var shape: Shape
    /// Whether `null` is also allowed.
    public var isNullable: Bool
    public var description: String?

    public init(_ shape: Shape, nullable: Bool = false, description: String? = nil) {
        self.shape = shape
        self.isNullable = nullable
        self.description = description
    }

    // MARK: - builders

    /// Any JSON value.
    public static let any = JSONSchema(.any)
    public static let boolean = JSONSchema(.boolean)

    public static func string(format: String? = nil, enum values: [String]? = nil, pattern: String? = nil,
                              minLength: Int? = nil, maxLength: Int? = nil, description: String? = nil) -> JSONSchema {
        JSONSchema(.string(format: format, enum: values, pattern: pattern, minLength: minLength, maxLength: maxLength),
                   description: description)
    }

    /// An RFC 3339 time (`2026-11-22T10:00:00.000Z`), as every answer here writes times.
    public static func dateTime(description: String? = nil) -> JSONSchema { .string(format: "date-time", description: description) }

    public static func integer(format: String? = "int64", minimum: Int64? = nil, maximum: Int64? = nil,
                               description: String? = nil) -> JSONSchema {
        JSONSchema(.integer(format: format, minimum: minimum, maximum: maximum), description: description)
    }

    public static func number(minimum: Double? = nil, maximum: Double? = nil, description: String? = nil) -> JSONSchema {
        JSONSchema(.number(minimum: minimum, maximum: maximum), description: description)
    }

    public static func array(of items: JSONSchema, minItems: Int? = nil, maxItems: Int? = nil, description: String? = nil) -> JSONSchema {
        JSONSchema(.array(items: items, minItems: minItems, maxItems: maxItems), description: description)
    }

    /// An object with `properties` in order. `required: nil` means every property;
    /// `additionalProperties: false` by default.
    public static func object(_ properties: KeyValuePairs<String, JSONSchema>, required: [String]? = nil,
                              additional: Additional = .forbidden, description: String? = nil) -> JSONSchema {
        let list = properties.map { Property($0.key, $0.value) }
        return JSONSchema(.object(properties: list, required: required ?? list.map(\.name), additional: additional),
                          description: description)
    }

    /// An object used as a map: any keys, each value matching `values`.
    public static func map(of values: JSONSchema, description: String? = nil) -> JSONSchema {
        JSONSchema(.object(properties: [], required: [], additional: .matching(values)), description: description)
    }

    public static func oneOf(_ schemas: [JSONSchema], description: String? = nil) -> JSONSchema {
        JSONSchema(.oneOf(schemas), description: description)
    }

    /// The same schema, also allowing `null`.
    public func nullable() -> JSONSchema {
        var copy = self
        copy.isNullable = true
        return copy
    }

    /// The same schema with a description.
    public func described(_ text: String) -> JSONSchema {
        var copy = self
        copy.description = text
        return copy
    }

    /// A `since`-style filter: an RFC 3339 UTC time (`2026-11-22T10:00:00Z`) or a duration ago
    /// (`30m`, `2h`, `7d`, as `ConfigDuration` reads them). The pattern is narrower than what
    /// the parsers take (days 01–28, upper-case `T` and `Z`) so every value it allows is valid.
    public static let timeOrDurationAgo = JSONSchema.string(
        pattern: "^([0-9]{1,6}(ms|s|m|h|d)|20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z)$",
        description: "an RFC 3339 time (`2026-11-22T10:00:00Z`) or a duration ago (`30m`, `2h`, `7d`)")

    /// The error body every route answers with: `{"error": {"code": "…", "message": "…"}}`.
    public static let error = JSONSchema.object([
        "error": .object(["code": .string(description: "stable and machine-readable (`bad_request`, `not_found`)"),
                          "message": .string(description: "lower-case, says what and why")]),
    ])
}
