import PluginAPI

/// Checks a route description against the routes declared: it must name one of them exactly
/// (method and pattern, `:param` names included) and give only that pattern's path parameters.
/// The same rules for the kernel's own descriptions and the plugins'.
enum RouteDocCheck {
    /// A boot problem, or nil when the description fits.
    static func problem(method: HTTPMethod, pattern: String, doc: RouteDoc, declared: [(HTTPMethod, String)]) -> String? {
        let name = "description of \(method) \(pattern)"
        guard declared.contains(where: { $0.0 == method && $0.1 == pattern }) else {
            return "\(name): no such route is declared"
        }
        if doc.summary.isEmpty { return "\(name): the summary is empty" }
        if doc.responses.isEmpty { return "\(name): it lists no responses" }
        let names = parameterNames(pattern)
        for parameter in doc.parameters where parameter.location == .path && !names.contains(parameter.name) {
            return "\(name): path parameter \(parameter.name) is not in the pattern"
        }
        var seen: Set<String> = []
        for parameter in doc.parameters where !seen.insert("\(parameter.location.rawValue) \(parameter.name)").inserted {
            return "\(name): parameter \(parameter.name) is listed twice"
        }
        var statuses: Set<String> = []
        for answer in doc.responses where !statuses.insert(answer.status).inserted {
            return "\(name): response \(answer.status) is listed twice"
        }
        return nil
    }

    /// `/inbox/:id/replay` → `["id"]`.
    static func parameterNames(_ pattern: String) -> [String] {
        pattern.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) }
    }

    /// `/inbox/:id/replay` → `/inbox/{id}/replay` (OpenAPI's template syntax).
    static func templated(_ pattern: String) -> String {
        pattern.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            .joined(separator: "/")
    }
}
