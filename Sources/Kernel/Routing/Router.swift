import PluginAPI

/// Method + path patterns with `:param` segments, built once at boot and read-only after.
/// Literal segments win over parameters; a path known under other methods answers 405 with
/// `Allow`; HEAD falls back to GET.
final class Router: @unchecked Sendable {
    /// A registered route. `index` numbers routes for metrics (0 is "no route").
    struct Route: Sendable {
        let index: Int
        let method: HTTPMethod
        /// The full pattern as mounted (`/metaflow/endpoint/:flow`).
        let pattern: String
        /// The registering plugin's id, nil for the kernel's own routes.
        let plugin: String?
        let maxBody: Int?
        let parameterNames: [String]
        let action: RouteAction
    }

    enum Match {
        case found(Route, [String: String])
        case methodNotAllowed([HTTPMethod])
        case notFound
    }

    private final class Node {
        var literals: [String: Node] = [:]
        var parameter: Node?
        var routes = MethodTable()
    }

    /// Routes by method: the standard methods in fixed slots (no hashing on the request
    /// path), others by name.
    struct MethodTable {
        private var slots: [Route?] = Array(repeating: nil, count: 7)
        private var others: [String: Route] = [:]

        private static func slot(_ method: HTTPMethod) -> Int? {
            switch method {
            case .get: 0
            case .head: 1
            case .post: 2
            case .put: 3
            case .patch: 4
            case .delete: 5
            case .options: 6
            case .other: nil
            }
        }

        subscript(method: HTTPMethod) -> Route? {
            get {
                if let i = Self.slot(method) { return slots[i] }
                return others[method.description]
            }
            set {
                if let i = Self.slot(method) { slots[i] = newValue } else { others[method.description] = newValue }
            }
        }

        var isEmpty: Bool { slots.allSatisfy { $0 == nil } && others.isEmpty }
        var methods: [HTTPMethod] { slots.compactMap { $0?.method } + others.values.map(\.method) }
    }

    private let root = Node()
    /// Patterns without parameters, looked up whole: the common case costs one hash.
    private var exact: [String: MethodTable] = [:]
    private(set) var routes: [Route] = []

    var routeCount: Int { routes.count + 1 }

    /// The pattern of route `index` (0: `unmatched`).
    func pattern(at index: Int) -> String { index == 0 ? "unmatched" : routes[index - 1].pattern }

    /// Adds a route; a second route with the same method and the same shape of pattern is an
    /// error naming both registrations.
    func add(_ method: HTTPMethod, _ pattern: String, plugin: String?, maxBody: Int?, action: RouteAction) throws(RouteError) {
        guard pattern.hasPrefix("/") else { throw RouteError("route pattern must start with /: \(pattern)") }
        let segments = pattern == "/" ? [] : pattern.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        var node = root
        var names: [String] = []
        for segment in segments {
            if segment.isEmpty { throw RouteError("empty segment in route pattern \(pattern)") }
            if segment.hasPrefix(":") {
                let name = String(segment.dropFirst())
                guard !name.isEmpty else { throw RouteError("unnamed parameter in route pattern \(pattern)") }
                guard !names.contains(name) else { throw RouteError("parameter :\(name) repeated in route pattern \(pattern)") }
                names.append(name)
                if node.parameter == nil { node.parameter = Node() }
                node = node.parameter!
            } else {
                let key = String(segment)
                if let next = node.literals[key] {
                    node = next
                } else {
                    let next = Node()
                    node.literals[key] = next
                    node = next
                }
            }
        }
        if let existing = node.routes[method] {
            throw RouteError("route clash: \(method) \(pattern) (\(plugin.map { "plugin \($0)" } ?? "kernel")) and \(method) \(existing.pattern) (\(existing.plugin.map { "plugin \($0)" } ?? "kernel"))")
        }
        let route = Route(index: routes.count + 1, method: method, pattern: pattern, plugin: plugin, maxBody: maxBody,
                          parameterNames: names, action: action)
        node.routes[method] = route
        routes.append(route)
        if names.isEmpty { exact[pattern, default: MethodTable()][method] = route }
    }

    /// Adds a route whose handler may suspend.
    func add(_ method: HTTPMethod, _ pattern: String, plugin: String?, maxBody: Int?, handler: @escaping RouteHandler) throws(RouteError) {
        try add(method, pattern, plugin: plugin, maxBody: maxBody, action: .async(handler))
    }

    /// Finds the route for a request.
    func match(method: HTTPMethod, path: String) -> Match {
        if let byMethod = exact[path] {
            if let route = byMethod[method] ?? (method == .head ? byMethod[.get] : nil) {
                return .found(route, [:])
            }
        }
        guard path.hasPrefix("/") else { return .notFound }
        let segments = path == "/" ? [] : path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        // Every node the path reaches, literal matches first: a literal registered for other
        // methods must not hide a parameter route of this method.
        var candidates: [(Node, [String])] = []
        var values: [String] = []
        Self.collect(root, segments[...], values: &values, into: &candidates)
        for (node, values) in candidates {
            if let route = node.routes[method] ?? (method == .head ? node.routes[.get] : nil) {
                var parameters: [String: String] = [:]
                for (name, value) in zip(route.parameterNames, values) { parameters[name] = value }
                return .found(route, parameters)
            }
        }
        guard !candidates.isEmpty else { return .notFound }
        var allowed: Set<String> = []
        var methods: [HTTPMethod] = []
        for (node, _) in candidates {
            var here = node.routes.methods
            if node.routes[.get] != nil && node.routes[.head] == nil { here.append(.head) }
            for m in here where allowed.insert(m.description).inserted { methods.append(m) }
        }
        return .methodNotAllowed(methods.sorted { $0.description < $1.description })
    }

    /// Depth-first, a literal child before the parameter child; appends every node with routes
    /// that the whole path reaches, with the parameter values along the way.
    private static func collect(_ node: Node, _ segments: ArraySlice<Substring.UTF8View.SubSequence>, values: inout [String],
                                into candidates: inout [(Node, [String])]) {
        guard let first = segments.first else {
            if !node.routes.isEmpty { candidates.append((node, values)) }
            return
        }
        let text = String(decoding: first, as: UTF8.self)
        if let next = node.literals[text] { collect(next, segments.dropFirst(), values: &values, into: &candidates) }
        if !text.isEmpty, let next = node.parameter {
            values.append(text)
            collect(next, segments.dropFirst(), values: &values, into: &candidates)
            values.removeLast()
        }
    }
}

/// A route registration that cannot be accepted; a boot error.
struct RouteError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
