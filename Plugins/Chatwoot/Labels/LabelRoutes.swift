import PluginAPI

/// `POST /chatwoot/labels/sync` (admin; what `switchboard chatwoot labels sync` calls): creates
/// the account labels `sync.labels` names that Chatwoot does not have yet. Titles were validated
/// with Chatwoot's own rule when the config was read. Answers
/// `{"created": [...], "existing": [...]}`; calling it again creates nothing.
struct LabelRoutes: Sendable {
    let client: ChatwootClient
    let labels: [String]
    let authorized: @Sendable (Request) -> Bool

    func register(_ registrar: any Registrar) {
        let routes = self
        registrar.route(.post, "/labels/sync", doc: LabelRouteDocs.sync) { request in
            guard routes.authorized(request) else {
                var response = Response.error(status: 401, code: "unauthorized", message: "admin token required (Authorization: Bearer …)")
                response.headers.set("WWW-Authenticate", "Bearer realm=\"switchboard-admin\"")
                return response
            }
            do {
                let outcome = try await routes.sync()
                return .json(bytes: try JSONText.bytes(["created": outcome.created, "existing": outcome.existing]))
            } catch let error as ChatwootError {
                return .error(status: 502, code: "chatwoot_\(error.kind.rawValue)", message: error.description)
            }
        }
    }

    func sync() async throws -> (created: [String], existing: [String]) {
        let present = Set(try await client.labels().map { $0.title.lowercased() })
        var created: [String] = []
        var existing: [String] = []
        for title in labels {
            if present.contains(title) {
                existing.append(title)
                continue
            }
            do {
                _ = try await client.createLabel(title)
                created.append(title)
            } catch let error as ChatwootError where error.kind == .invalid && error.message.lowercased().contains("taken") {
                // Created by someone else since we listed them.
                existing.append(title)
            }
        }
        return (created, existing)
    }
}
