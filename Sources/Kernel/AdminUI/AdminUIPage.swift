/// One page of the admin UI: where it is, its menu entry, and what the script draws on it.
struct AdminUIPage: Sendable, Equatable {
    /// The script's view: `overview`, `responses`, `review`, `monitor`, `inbox` or `panel`.
    var view: String
    var title: String
    var path: String
    /// `<plugin>.<panel id>` for a plugin's panel.
    var panel: String?
    var inMenu = true
    /// What the enabled plugins serve that the script uses (`integrity-report`,
    /// `integrity-stream`, `integrity-review`): it asks only routes that exist.
    var features: [String] = []

    /// The plugin routes (`GET /integrity`) each feature stands for.
    static func features(routes: Set<String>) -> [String] {
        var features: [String] = []
        if routes.contains("GET /metaflow/responses") { features.append("metaflow-responses") }
        if routes.contains("GET /integrity") { features.append("integrity-report") }
        if routes.contains("GET /integrity/stream") { features.append("integrity-stream") }
        if routes.contains(where: { $0.hasPrefix("POST /integrity/review") }) { features.append("integrity-review") }
        return features
    }

    /// The pages this configuration has: the kernel's always; Responses with MetaFlow's
    /// listing; Monitor with Integrity's event stream; one per enabled plugin's panel.
    /// `routes` are the enabled plugins' routes as `METHOD /mounted/pattern`.
    static func pages(routes: Set<String>, panels: [AdminRoutes.PanelEntry]) -> [AdminUIPage] {
        let features = features(routes: routes)
        var pages = [AdminUIPage(view: "overview", title: "Overview", path: "/admin")]
        if features.contains("metaflow-responses") {
            pages.append(AdminUIPage(view: "responses", title: "Responses", path: "/admin/responses"))
        }
        pages.append(AdminUIPage(view: "review", title: "Review", path: "/admin/review"))
        if features.contains("integrity-stream") {
            pages.append(AdminUIPage(view: "monitor", title: "Monitor", path: "/admin/monitor"))
        }
        pages.append(AdminUIPage(view: "inbox", title: "Inbox & jobs", path: "/admin/inbox"))
        for entry in panels {
            let id = "\(entry.plugin).\(entry.panel.id)"
            pages.append(AdminUIPage(view: "panel", title: entry.panel.title, path: "/admin/panels/\(id)", panel: id))
        }
        return pages.map { page in
            var page = page
            page.features = features
            return page
        }
    }
}
