/// The description of one route for `GET /openapi.json` (an OpenAPI operation): what it does,
/// who may call it, its parameters, its body and its answers. Attach it where the route is
/// declared:
///
///     registrar.route(.get, "/calls", doc: RouteDoc(
///         summary: "List calls, newest first",
///         security: .admin,
///         parameters: [.query("limit", .integer(minimum: 1, maximum: 1000), "page size (default 100)")],
///         responses: [.json(200, "a page of calls", callsPage), .error(400, "a bad parameter")]
///     )) { request in … }
///
/// or separately with `registrar.describe(.get, "/calls", doc)`. The kernel adds the route's
/// path parameters (as strings, unless the doc gives them a schema), the `401` of admin routes
/// and the bearer security requirement, and publishes only enabled plugins' routes. A doc does
/// not change what the route does: the handler must still check `context.adminAuthorized`
/// for `.admin` routes (a test sends every documented admin route a request without the token).
public struct RouteDoc: Sendable, Equatable {
    /// Who may call a route.
    public enum Security: String, Sendable, Equatable {
        /// Anyone (probes).
        case none
        /// `Authorization: Bearer <admin.token>`; answered 401 `unauthorized` without it.
        case admin
        /// A provider's signature or shared secret the handler verifies; 401 without it.
        case webhookSignature = "webhook-signature"
    }

    /// A query, path or header parameter.
    public struct Parameter: Sendable, Equatable {
        public enum Location: String, Sendable, Equatable {
            case query, path, header
        }

        public var name: String
        public var location: Location
        public var schema: JSONSchema
        public var required: Bool
        public var description: String?

        public init(name: String, location: Location, schema: JSONSchema, required: Bool, description: String? = nil) {
            self.name = name
            self.location = location
            self.schema = schema
            self.required = required
            self.description = description
        }

        /// A query parameter, optional unless `required`.
        public static func query(_ name: String, _ schema: JSONSchema, _ description: String? = nil, required: Bool = false) -> Parameter {
            Parameter(name: name, location: .query, schema: schema, required: required, description: description)
        }

        /// A path parameter (`:id` in the route's pattern; always required).
        public static func path(_ name: String, _ schema: JSONSchema, _ description: String? = nil) -> Parameter {
            Parameter(name: name, location: .path, schema: schema, required: true, description: description)
        }
    }

    /// One media type of a request or response body.
    public struct Content: Sendable, Equatable {
        /// `application/json`, `text/csv`, …
        public var mediaType: String
        /// Nil for a body that is not described further (CSV, text).
        public var schema: JSONSchema?

        public init(_ mediaType: String, _ schema: JSONSchema? = nil) {
            self.mediaType = mediaType
            self.schema = schema
        }
    }

    /// What a route reads from the request body.
    public struct Body: Sendable, Equatable {
        public var description: String?
        public var required: Bool
        public var contents: [Content]

        public init(_ contents: [Content], required: Bool = true, description: String? = nil) {
            self.contents = contents
            self.required = required
            self.description = description
        }

        /// A JSON body matching `schema`.
        public static func json(_ schema: JSONSchema, description: String? = nil) -> Body {
            Body([Content("application/json", schema)], description: description)
        }
    }

    /// One possible answer.
    public struct Answer: Sendable, Equatable {
        /// An HTTP status (`200`) or a range (`4XX`).
        public var status: String
        public var description: String
        /// Empty for an answer without a body.
        public var contents: [Content]

        public init(status: String, description: String, contents: [Content]) {
            self.status = status
            self.description = description
            self.contents = contents
        }

        /// A JSON answer matching `schema`.
        public static func json(_ status: Int, _ description: String, _ schema: JSONSchema) -> Answer {
            Answer(status: String(status), description: description, contents: [Content("application/json", schema)])
        }

        /// An error answer with the standard body `{"error": {"code", "message"}}`.
        public static func error(_ status: Int, _ description: String) -> Answer {
            Answer(status: String(status), description: description, contents: [Content("application/json", .error)])
        }

        /// An answer of another media type (`text/csv`), its body not described further.
        public static func body(_ status: Int, _ description: String, mediaType: String) -> Answer {
            Answer(status: String(status), description: description, contents: [Content(mediaType)])
        }
    }

    /// One line: what the route does.
    public var summary: String
    /// Longer notes (CommonMark).
    public var description: String?
    public var security: Security
    public var parameters: [Parameter]
    public var body: Body?
    public var responses: [Answer]
    /// Groups routes in the document; nil: the plugin's id (or `admin` for the kernel's).
    public var tag: String?

    public init(summary: String, description: String? = nil, security: Security, parameters: [Parameter] = [],
                body: Body? = nil, responses: [Answer], tag: String? = nil) {
        self.summary = summary
        self.description = description
        self.security = security
        self.parameters = parameters
        self.body = body
        self.responses = responses
        self.tag = tag
    }
}
