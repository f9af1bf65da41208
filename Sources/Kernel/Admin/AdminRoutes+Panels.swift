import PluginAPI

/// `GET /api/admin/panels`: the admin panels the enabled plugins registered, in plugin order,
/// with their sources and action paths mounted (`/cloudtalk/calls`), for the admin web UI.
extension AdminRoutes {
    /// One registered panel and the plugin that owns it.
    struct PanelEntry: Sendable {
        var plugin: String
        var panel: AdminPanel
    }

    func panelRoutes(_ panels: [PanelEntry]) -> [(HTTPMethod, String, RouteAction)] {
        let body = Self.panelsJSON(panels)
        return [
            (.get, "\(Self.prefix)/panels", guarded { request in
                try AdminParameters.checkKnown(request.queryItems, allowed: [])
                return Self.json(body)
            }),
        ]
    }

    static func panelsJSON(_ panels: [PanelEntry]) -> JSONValue {
        .object([("panels", .array(panels.map { entry in
            let panel = entry.panel
            let mount = "/\(entry.plugin)"
            return .object([
                ("id", .string("\(entry.plugin).\(panel.id)")),
                ("plugin", .string(entry.plugin)),
                ("title", .string(panel.title)),
                ("source", .string(mount + panel.source)),
                ("rows_key", .string(panel.rowsKey)),
                ("columns", .array(panel.columns.map {
                    .object([("key", .string($0.key)), ("title", .string($0.title)), ("format", .string($0.format.rawValue))])
                })),
                ("actions", .array(panel.actions.map {
                    .object([("title", .string($0.title)), ("path", .string(mount + $0.path)),
                             ("confirm", $0.confirm.map(JSONValue.string) ?? .null)])
                })),
            ])
        }))])
    }
}
