import PluginAPI

/// `GET /metaflow/responses` (JSON pages) and `GET /metaflow/responses.csv` (every match),
/// for the operator: both need the admin token.
struct ResponseRoutes: Sendable {
    let store: any Store
    let clock: any TimeSource
    /// Whether a request carries the admin token (`context.adminAuthorized`).
    let authorized: @Sendable (Request) -> Bool

    static func unauthorized() -> Response {
        var response = Response.error(status: 401, code: "unauthorized", message: "admin token required (Authorization: Bearer …)")
        response.headers.set("WWW-Authenticate", "Bearer realm=\"switchboard-admin\"")
        return response
    }

    func register(_ registrar: any Registrar) {
        let store = self.store
        let clock = self.clock
        let authorized = self.authorized
        registrar.route(.get, "/responses", doc: ResponseRouteDocs.list) { request in
            guard authorized(request) else { return Self.unauthorized() }
            let filter = try ResponseListing.filter(request.queryItems, now: clock.nowMillis, paged: true)
            let page = try await store.read { db in try ResponseListing.records(filter, in: db) }
            let body = JSONValue.object([
                "responses": .array(page.records.map(ResponseListing.json)),
                "next": page.next.map(JSONValue.integer) ?? .null,
            ])
            return .json(bytes: try JSONText.bytes(body))
        }
        registrar.route(.get, "/responses.csv", doc: ResponseRouteDocs.csv) { request in
            guard authorized(request) else { return Self.unauthorized() }
            let filter = try ResponseListing.filter(request.queryItems, now: clock.nowMillis, paged: false)
            let page = try await store.read { db in try ResponseListing.records(filter, in: db) }
            var headers = HTTPHeaders()
            headers.set("Content-Type", "text/csv; charset=utf-8")
            headers.set("Content-Disposition", "attachment; filename=\"responses.csv\"")
            return Response(status: 200, headers: headers, body: try ResponseCSV.render(page.records))
        }
    }
}
