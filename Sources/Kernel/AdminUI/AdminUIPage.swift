/// One page of the admin UI: where it is, its menu entry, and what the script draws on it.
struct AdminUIPage: Sendable, Equatable {
    /// The script's view: `overview`, `responses`, `review`, `monitor`, `inbox` or `panel`.
    var view: String
    var title: String
    var path: String
    /// `<plugin>.<panel id>` for a plugin's panel.
    var panel: String?
    var inMenu = true
    /// Ids of the enabled plugins (the script asks `/integrity` only when it is there).
    var plugins: [String] = []

    /// The pages this configuration has: the kernel's always; Responses with MetaFlow; Monitor
    /// with Integrity; one per enabled plugin's panel.
    static func pages(enabledPlugins: [String], panels: [AdminRoutes.PanelEntry]) -> [AdminUIPage] {
        var pages = [AdminUIPage(view: "overview", title: "Overview", path: "/admin")]
        if enabledPlugins.contains("metaflow") {
            pages.append(AdminUIPage(view: "responses", title: "Responses", path: "/admin/responses"))
        }
        pages.append(AdminUIPage(view: "review", title: "Review", path: "/admin/review"))
        if enabledPlugins.contains("integrity") {
            pages.append(AdminUIPage(view: "monitor", title: "Monitor", path: "/admin/monitor"))
        }
        pages.append(AdminUIPage(view: "inbox", title: "Inbox & jobs", path: "/admin/inbox"))
        for entry in panels {
            let id = "\(entry.plugin).\(entry.panel.id)"
            pages.append(AdminUIPage(view: "panel", title: entry.panel.title, path: "/admin/panels/\(id)", panel: id))
        }
        return pages.map { page in
            var page = page
            page.plugins = enabledPlugins
            return page
        }
    }
}
