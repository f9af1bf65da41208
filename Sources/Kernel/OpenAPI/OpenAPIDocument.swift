import PluginAPI

/// `GET /openapi.json`: an OpenAPI 3.1 document of every described route of the kernel and
/// the enabled plugins, built once at boot (the routes never change while running).
///
/// What the kernel adds to each description: the pattern's path parameters the doc does not
/// give (as strings), and for `.admin` routes the bearer security requirement and the `401`.
struct OpenAPIDocument {
    /// A described route as mounted.
    struct Entry {
        var method: HTTPMethod
        /// The router's pattern (`/api/admin/inbox/:id`).
        var pattern: String
        /// The registering plugin's id, nil for the kernel.
        var plugin: String?
        var doc: RouteDoc
    }

    /// The security scheme admin routes name.
    static let adminScheme = "admin_token"
    static let unauthorized = RouteDoc.Answer.error(401, "the admin token is missing or wrong (`WWW-Authenticate: Bearer`)")

    var entries: [Entry]
    var version: String

    var json: JSONValue {
        var paths: [(key: String, value: JSONValue)] = []
        for entry in entries {
            let path = RouteDocCheck.templated(entry.pattern)
            let operation = (entry.method.description.lowercased(), Self.operation(entry))
            if let index = paths.firstIndex(where: { $0.key == path }), case .object(var operations) = paths[index].value {
                operations.append(operation)
                paths[index].value = .object(operations)
            } else {
                paths.append((path, .object([operation])))
            }
        }
        var tags: [String] = []
        for entry in entries where !tags.contains(Self.tag(entry)) { tags.append(Self.tag(entry)) }
        return .object([
            ("openapi", .string("3.1.0")),
            ("info", .object([
                ("title", .string("Switchboard")),
                ("version", .string(version)),
                ("description", .string("The operator's API of this Switchboard instance: the kernel's admin API and the enabled plugins' routes. Admin routes take `Authorization: Bearer <admin.token>`.")),
            ])),
            ("tags", .array(tags.map { .object([("name", .string($0))]) })),
            ("paths", .object(paths)),
            ("components", .object([
                ("securitySchemes", .object([
                    (Self.adminScheme, .object([("type", .string("http")), ("scheme", .string("bearer")),
                                           ("description", .string("the configured `admin.token`"))])),
                ])),
            ])),
        ])
    }

    static func tag(_ entry: Entry) -> String { entry.doc.tag ?? entry.plugin ?? "kernel" }

    static func operation(_ entry: Entry) -> JSONValue {
        let doc = entry.doc
        var members: [(key: String, value: JSONValue)] = [
            ("operationId", .string(operationID(entry))),
            ("summary", .string(doc.summary)),
        ]
        if let description = doc.description { members.append(("description", .string(description))) }
        members.append(("tags", .array([.string(tag(entry))])))
        var parameters = doc.parameters
        for name in RouteDocCheck.parameterNames(entry.pattern) where !parameters.contains(where: { $0.location == .path && $0.name == name }) {
            parameters.append(.path(name, .string()))
        }
        if !parameters.isEmpty { members.append(("parameters", .array(parameters.map(parameter)))) }
        if let body = doc.body {
            var bodyMembers: [(key: String, value: JSONValue)] = []
            if let description = body.description { bodyMembers.append(("description", .string(description))) }
            bodyMembers.append(("required", .bool(body.required)))
            bodyMembers.append(("content", content(body.contents)))
            members.append(("requestBody", .object(bodyMembers)))
        }
        var answers = doc.responses
        if doc.security == .admin && !answers.contains(where: { $0.status == "401" }) { answers.append(unauthorized) }
        members.append(("responses", .object(answers.map { answer in
            var answerMembers: [(key: String, value: JSONValue)] = [("description", .string(answer.description))]
            if !answer.contents.isEmpty { answerMembers.append(("content", content(answer.contents))) }
            return (answer.status, .object(answerMembers))
        })))
        members.append(("security", doc.security == .admin ? .array([.object([(adminScheme, .array([]))])]) : .array([])))
        if doc.security == .webhookSignature {
            members.append(("x-switchboard-security", .string(doc.security.rawValue)))
        }
        return .object(members)
    }

    static func parameter(_ parameter: RouteDoc.Parameter) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("name", .string(parameter.name)), ("in", .string(parameter.location.rawValue)), ("required", .bool(parameter.required)),
        ]
        if let description = parameter.description { members.append(("description", .string(description))) }
        members.append(("schema", parameter.schema.rendered))
        return .object(members)
    }

    static func content(_ contents: [RouteDoc.Content]) -> JSONValue {
        .object(contents.map { content in
            (content.mediaType, .object(content.schema.map { [("schema", $0.rendered)] } ?? []))
        })
    }

    /// `GET /api/admin/inbox/:id` → `get_api_admin_inbox_by_id`: unique, since a method and
    /// pattern shape are unique in the router.
    static func operationID(_ entry: Entry) -> String {
        let words = entry.pattern.split(separator: "/").map { segment in
            segment.hasPrefix(":") ? "by_\(segment.dropFirst())" : String(segment)
        }
        let text = ([entry.method.description.lowercased()] + words).joined(separator: "_")
        return String(text.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }
}

extension OpenAPIDocument {
    /// The kernel's descriptions (checked against its routes) followed by each enabled
    /// plugin's, in plugin order. A kernel description without its route is a boot error.
    static func build(kernelRoutes: [(HTTPMethod, String)], kernelDocs: [(HTTPMethod, String, RouteDoc)],
                      plugins: [KernelBuilder.LoadedPlugin]) throws(BootError) -> OpenAPIDocument {
        var entries: [Entry] = []
        for (method, pattern, doc) in kernelDocs {
            if let problem = RouteDocCheck.problem(method: method, pattern: pattern, doc: doc, declared: kernelRoutes) {
                throw BootError("kernel: \(problem)")
            }
            entries.append(Entry(method: method, pattern: pattern, plugin: nil, doc: doc))
        }
        for loaded in plugins {
            entries += loaded.registrar.docs.map { Entry(method: $0.method, pattern: $0.pattern, plugin: loaded.id, doc: $0.doc) }
        }
        return OpenAPIDocument(entries: entries, version: Switchboard.version)
    }
}
