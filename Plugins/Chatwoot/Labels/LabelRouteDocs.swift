import PluginAPI

/// The description of `POST /chatwoot/labels/sync` for `/openapi.json` (`LabelRoutes`).
enum LabelRouteDocs {
    static let sync = RouteDoc(
        summary: "Create the configured labels Chatwoot does not have yet (idempotent)",
        security: .admin,
        responses: [
            .json(200, "what was created and what existed", .object(["created": .array(of: .string()), "existing": .array(of: .string())])),
            .error(502, "Chatwoot refused or did not answer (`chatwoot_…`)"),
        ])
}
