import PluginAPI

/// Records what one plugin registers, mounted under `/<id>`; the kernel then adds the
/// records to the router (where clashes are found) and lists them in `switchboard plugins`.
final class PluginRegistrar: Registrar {
    struct RouteRecord {
        var method: HTTPMethod
        /// The full mounted pattern (`/metaflow/endpoint/:flow`).
        var pattern: String
        var maxBody: Int?
        var action: RouteAction
    }

    let pluginID: String
    private(set) var routes: [RouteRecord] = []
    private(set) var problems: [String] = []

    init(pluginID: String) { self.pluginID = pluginID }

    func route(_ method: HTTPMethod, _ path: String, maxBody: Int?, action: RouteAction) {
        let mounted: String
        if path.isEmpty || path == "/" {
            mounted = "/\(pluginID)"
        } else if path.hasPrefix("/") {
            mounted = "/\(pluginID)\(path)"
        } else {
            problems.append("route path must start with / (got \(path))")
            return
        }
        if let maxBody, maxBody < 0 { problems.append("route \(method) \(mounted): maxBody must not be negative") }
        routes.append(RouteRecord(method: method, pattern: mounted, maxBody: maxBody, action: action))
    }

    /// One line per registration, for `switchboard plugins`.
    var summaryLines: [String] { routes.map { "route \($0.method) \($0.pattern)" } }
}
