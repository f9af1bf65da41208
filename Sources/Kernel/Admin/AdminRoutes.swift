import PluginAPI

/// The admin API under `/api/admin/`: the inbox (list, show, replay), rejected webhooks,
/// jobs (list, retry) and phones (`AdminRoutes+Phones`), as JSON with snake_case keys. Every route requires
/// `Authorization: Bearer <admin.token>` or the admin UI's session cookie (`AdminTokenCheck`);
/// without a configured token every route answers 401.
/// Storage that is not open (yet) is a 503; bad parameters are 400s naming the parameter.
final class AdminRoutes: Sendable {
    private let check: AdminTokenCheck
    private let queries: AdminQueries

    static let prefix = "/api/admin"
    /// Sent with every 401 (RFC 6750).
    static let challenge = "Bearer realm=\"switchboard-admin\""
    /// The body of a bulk replay: `{"since": "…", "plugin": "…"}`.
    static let bulkReplayKeys: Set<String> = ["since", "plugin"]

    init(check: AdminTokenCheck, queries: AdminQueries) {
        self.check = check
        self.queries = queries
    }

    var routes: [(HTTPMethod, String, RouteAction)] {
        let p = Self.prefix
        return [
            (.get, "\(p)/inbox", guarded { [queries] request in
                let values = request.queryItems
                try AdminParameters.checkKnown(values, allowed: AdminParameters.inboxKeys)
                let filter = try AdminParameters.inboxFilter(values, now: queries.clock.nowMillis, limits: .paged)
                return Self.page(try await queries.inbox(filter)) { $0.json }
            }),
            (.get, "\(p)/inbox/rejections", guarded { [queries] request in
                let values = request.queryItems
                try AdminParameters.checkKnown(values, allowed: AdminParameters.rejectionKeys)
                let filter = try AdminParameters.rejectionFilter(values, now: queries.clock.nowMillis, limits: .paged)
                return Self.page(try await queries.rejections(filter)) { $0.json }
            }),
            (.get, "\(p)/inbox/:id", guarded { [queries] request in
                try AdminParameters.checkKnown(request.queryItems, allowed: [])
                return Self.json(try await queries.inboxItem(id: try Self.id(request)).json)
            }),
            (.post, "\(p)/inbox/:id/replay", guarded { [queries] request in
                Self.json(try await queries.replay(id: try Self.id(request)).json)
            }),
            (.post, "\(p)/inbox/replay", guarded { [queries] request in
                let (since, plugin) = try Self.bulkReplayBody(request.body, now: queries.clock.nowMillis)
                return Self.json(try await queries.replay(since: since, plugin: plugin).json)
            }),
            (.get, "\(p)/jobs", guarded { [queries] request in
                let values = request.queryItems
                try AdminParameters.checkKnown(values, allowed: AdminParameters.jobKeys)
                let filter = try AdminParameters.jobFilter(values, limits: .paged)
                return Self.page(try await queries.jobs(filter)) { $0.json }
            }),
            (.post, "\(p)/jobs/:id/retry", guarded { [queries] request in
                Self.json(try await queries.retryJob(id: try Self.id(request)).json)
            }),
        ]
    }

    // MARK: - authorization

    /// Runs `handler` for requests that carry the admin token; answers 401 otherwise, and 503
    /// while storage is not open.
    func guarded(_ handler: @escaping RouteHandler) -> RouteAction {
        .async { [self] request in
            if let refusal = self.refusal(request) { return refusal }
            do {
                return try await handler(request)
            } catch let error as StorageError where error.kind == .unavailable {
                return .error(status: 503, code: "storage_unavailable", message: "storage is unavailable; retry later")
            }
        }
    }

    /// The 401 for a request without the right bearer token or a valid session, or nil when
    /// it has one.
    func refusal(_ request: Request) -> Response? {
        if case .denied(let reason) = check.access(request) { return Self.unauthorized(reason) }
        return nil
    }

    /// The credentials of `Bearer <token>` (the scheme is case-insensitive), or nil.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingASCIIWhitespace()
        return token.isEmpty ? nil : token
    }

    static func unauthorized(_ message: String) -> Response {
        var response = Response.error(status: 401, code: "unauthorized", message: message)
        response.headers.set("WWW-Authenticate", challenge)
        return response
    }

    // MARK: - helpers

    /// The `:id` parameter as a positive integer.
    static func id(_ request: Request) throws(AdminError) -> Int64 {
        try AdminParameters.id("id", request.parameters["id"] ?? "")
    }

    static func json(_ value: JSONValue, status: Int = 200) -> Response {
        .json(bytes: Array(value.jsonText().utf8), status: status)
    }

    /// `{"items": […], "next": <id or null>}`.
    static func page<Item>(_ page: AdminQueries.Page<Item>, _ render: (Item) -> JSONValue) -> Response {
        json(.object([("items", .array(page.items.map(render))), ("next", .optional(page.next))]))
    }

    /// Reads `{"since": "…", "plugin": "…"}` strictly: an object, `since` required, no other keys.
    static func bulkReplayBody(_ body: [UInt8], now: Int64) throws(AdminError) -> (since: Int64, plugin: String?) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw AdminError.invalid("body", "expected a JSON object like {\"since\": \"2h\"}: \(error)")
        }
        guard case .object(let members) = value else { throw AdminError.invalid("body", "expected a JSON object like {\"since\": \"2h\"}") }
        if let unknown = members.first(where: { !bulkReplayKeys.contains($0.key) }) {
            throw AdminError.invalid(unknown.key, "unknown key (known: plugin, since)")
        }
        guard let sinceValue = value["since"] else { throw AdminError.invalid("since", "required") }
        guard case .string(let sinceText) = sinceValue else { throw AdminError.invalid("since", "expected a string") }
        let since = try AdminParameters.time("since", sinceText, now: now)
        var plugin: String?
        if let pluginValue = value["plugin"], pluginValue != .null {
            guard case .string(let text) = pluginValue else { throw AdminError.invalid("plugin", "expected a string") }
            plugin = try AdminParameters.nonEmpty("plugin", text)
        }
        return (since, plugin)
    }
}
