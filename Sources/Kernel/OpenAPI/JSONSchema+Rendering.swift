import PluginAPI

extension JSONSchema {
    /// The schema as JSON Schema 2020-12 (OpenAPI 3.1): `nullable` becomes a `"null"` member
    /// of `type` (or of `enum`, or a `oneOf` branch).
    var rendered: JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        func type(_ name: String) {
            members.append(("type", isNullable ? .array([.string(name), .string("null")]) : .string(name)))
        }
        switch shape {
        case .any:
            break
        case .object(let properties, let required, let additional):
            type("object")
            if !properties.isEmpty {
                members.append(("properties", .object(properties.map { ($0.name, $0.schema.rendered) })))
            }
            if !required.isEmpty { members.append(("required", .array(required.map(JSONValue.string)))) }
            switch additional {
            case .forbidden: members.append(("additionalProperties", .bool(false)))
            case .allowed: break
            case .matching(let schema): members.append(("additionalProperties", schema.rendered))
            }
        case .array(let items, let minItems, let maxItems):
            type("array")
            members.append(("items", items.rendered))
            if let minItems { members.append(("minItems", .integer(Int64(minItems)))) }
            if let maxItems { members.append(("maxItems", .integer(Int64(maxItems)))) }
        case .string(let format, let values, let pattern, let minLength, let maxLength):
            type("string")
            if let format { members.append(("format", .string(format))) }
            if let values {
                members.append(("enum", .array(values.map(JSONValue.string) + (isNullable ? [.null] : []))))
            }
            if let pattern { members.append(("pattern", .string(pattern))) }
            if let minLength { members.append(("minLength", .integer(Int64(minLength)))) }
            if let maxLength { members.append(("maxLength", .integer(Int64(maxLength)))) }
        case .integer(let format, let minimum, let maximum):
            type("integer")
            if let format { members.append(("format", .string(format))) }
            if let minimum { members.append(("minimum", .integer(minimum))) }
            if let maximum { members.append(("maximum", .integer(maximum))) }
        case .number(let minimum, let maximum):
            type("number")
            if let minimum { members.append(("minimum", .double(minimum))) }
            if let maximum { members.append(("maximum", .double(maximum))) }
        case .boolean:
            type("boolean")
        case .oneOf(let schemas):
            members.append(("oneOf", .array(schemas.map(\.rendered) + (isNullable ? [.object([("type", .string("null"))])] : []))))
        }
        if let description { members.append(("description", .string(description))) }
        return .object(members)
    }
}
