import PluginAPI
import Testing
@testable import Kernel

/// The router on its own: precedence, parameters, HEAD, 405 and registration errors.
@Suite("Router")
struct RouterTests {
    /// A router whose handlers answer their own pattern.
    static func router(_ routes: [(HTTPMethod, String)], plugin: String? = "p") throws -> Router {
        let router = Router()
        for (method, pattern) in routes {
            try router.add(method, pattern, plugin: plugin, maxBody: nil) { _ in .text(pattern) }
        }
        return router
    }

    /// The pattern and parameters found, or nil.
    static func found(_ match: Router.Match) -> (pattern: String, method: HTTPMethod, parameters: [String: String])? {
        if case .found(let route, let parameters) = match { return (route.pattern, route.method, parameters) }
        return nil
    }

    static func allowed(_ match: Router.Match) -> [String]? {
        if case .methodNotAllowed(let methods) = match { return methods.map(\.description) }
        return nil
    }

    static func isNotFound(_ match: Router.Match) -> Bool {
        if case .notFound = match { return true }
        return false
    }

    // MARK: - precedence and parameters

    @Test("literal beats parameter, whatever the registration order", arguments: [false, true])
    func literalBeatsParameter(literalFirst: Bool) throws {
        let routes: [(HTTPMethod, String)] = [(.get, "/items/:id"), (.get, "/items/special")]
        let r = try Self.router(literalFirst ? Array(routes.reversed()) : routes)
        #expect(Self.found(r.match(method: .get, path: "/items/special"))?.pattern == "/items/special")
        #expect(Self.found(r.match(method: .get, path: "/items/special"))?.parameters == [:])
        let other = Self.found(r.match(method: .get, path: "/items/other"))
        #expect(other?.pattern == "/items/:id")
        #expect(other?.parameters == ["id": "other"])
    }

    @Test func literalBranchBacktracksToParameter() throws {
        let r = try Self.router([(.get, "/items/special"), (.get, "/items/:id/parts/:part")])
        let m = Self.found(r.match(method: .get, path: "/items/special/parts/x"))
        #expect(m?.pattern == "/items/:id/parts/:part")
        #expect(m?.parameters == ["id": "special", "part": "x"])
    }

    @Test func nestedParametersAreExtracted() throws {
        let r = try Self.router([(.get, "/a/:x/b/:y/c/:z"), (.get, "/a/:x"), (.get, "/a/:x/b")])
        #expect(Self.found(r.match(method: .get, path: "/a/1/b/2/c/3"))?.parameters == ["x": "1", "y": "2", "z": "3"])
        #expect(Self.found(r.match(method: .get, path: "/a/1"))?.parameters == ["x": "1"])
        #expect(Self.found(r.match(method: .get, path: "/a/1/b"))?.pattern == "/a/:x/b")
        #expect(Self.isNotFound(r.match(method: .get, path: "/a/1/b/2")))
        #expect(Self.isNotFound(r.match(method: .get, path: "/a/1/b/2/c/3/d")))
    }

    @Test func parameterValuesAreRawSegments() throws {
        let r = try Self.router([(.get, "/f/:name")])
        #expect(Self.found(r.match(method: .get, path: "/f/a%20b"))?.parameters == ["name": "a%20b"])
        #expect(Self.found(r.match(method: .get, path: "/f/a:b@c"))?.parameters == ["name": "a:b@c"])
        #expect(Self.found(r.match(method: .get, path: "/f/é"))?.parameters == ["name": "é"])
    }

    @Test func parametersNeverMatchEmptySegments() throws {
        let r = try Self.router([(.get, "/items/:id"), (.get, "/items/:id/parts/:part")])
        #expect(Self.isNotFound(r.match(method: .get, path: "/items/")))
        #expect(Self.isNotFound(r.match(method: .get, path: "/items//parts/x")))
        #expect(Self.isNotFound(r.match(method: .get, path: "/items/1/parts/")))
    }

    @Test func trailingSlashIsAnotherPath() throws {
        let r = try Self.router([(.get, "/a"), (.get, "/b/:x")])
        #expect(Self.found(r.match(method: .get, path: "/a")) != nil)
        #expect(Self.isNotFound(r.match(method: .get, path: "/a/")))
        #expect(Self.isNotFound(r.match(method: .get, path: "/b/1/")))
        #expect(Self.isNotFound(r.match(method: .get, path: "//a")))
    }

    @Test func rootAndUnknownPaths() throws {
        let r = try Self.router([(.get, "/"), (.get, "/a")])
        #expect(Self.found(r.match(method: .get, path: "/"))?.pattern == "/")
        #expect(Self.isNotFound(r.match(method: .get, path: "/nope")))
        #expect(Self.isNotFound(r.match(method: .get, path: "*")))
        #expect(Self.isNotFound(r.match(method: .get, path: "")))
        let empty = Router()
        #expect(Self.isNotFound(empty.match(method: .get, path: "/")))
    }

    @Test func otherMethodTokensRoute() throws {
        let r = try Self.router([(.other("PROPFIND"), "/dav/:x")])
        #expect(Self.found(r.match(method: HTTPMethod("PROPFIND"), path: "/dav/1"))?.pattern == "/dav/:x")
        #expect(Self.allowed(r.match(method: .get, path: "/dav/1")) == ["PROPFIND"])
    }

    /// A literal route registered for some methods must not hide a parameter route of another
    /// method: `POST /hooks/:id` matches `POST /hooks/status` even though `GET /hooks/status` exists.
    @Test func literalOfAnotherMethodDoesNotHideParameterRoute() throws {
        let r = try Self.router([(.get, "/hooks/status"), (.post, "/hooks/:id")])
        let m = Self.found(r.match(method: .post, path: "/hooks/status"))
        #expect(m?.pattern == "/hooks/:id", "answered \(r.match(method: .post, path: "/hooks/status"))")
        #expect(m?.parameters == ["id": "status"])
        // Deeper too.
        let deep = try Self.router([(.get, "/a/b/c"), (.post, "/a/:x/c")])
        #expect(Self.found(deep.match(method: .post, path: "/a/b/c"))?.parameters == ["x": "b"])
    }

    // MARK: - HEAD and 405

    @Test func headFallsBackToGet() throws {
        let r = try Self.router([(.get, "/plain"), (.get, "/p/:x")])
        let plain = Self.found(r.match(method: .head, path: "/plain"))
        #expect(plain?.pattern == "/plain")
        #expect(plain?.method == .get)
        #expect(Self.found(r.match(method: .head, path: "/p/1"))?.parameters == ["x": "1"])
    }

    @Test func explicitHeadWinsOverGet() throws {
        let r = try Self.router([(.get, "/x"), (.head, "/x"), (.get, "/y/:a"), (.head, "/y/:a")])
        #expect(Self.found(r.match(method: .head, path: "/x"))?.method == .head)
        #expect(Self.found(r.match(method: .head, path: "/y/1"))?.method == .head)
        #expect(Self.allowed(r.match(method: .post, path: "/x")) == ["GET", "HEAD"])
    }

    @Test func methodNotAllowedListsMethodsSorted() throws {
        let r = try Self.router([(.post, "/m"), (.delete, "/m"), (.get, "/m"), (.put, "/m")])
        #expect(Self.allowed(r.match(method: .patch, path: "/m")) == ["DELETE", "GET", "HEAD", "POST", "PUT"])
    }

    @Test func methodNotAllowedWithoutGetHasNoHead() throws {
        let r = try Self.router([(.post, "/only-post"), (.put, "/p/:x"), (.post, "/p/:x")])
        #expect(Self.allowed(r.match(method: .get, path: "/only-post")) == ["POST"])
        #expect(Self.allowed(r.match(method: .head, path: "/only-post")) == ["POST"])
        #expect(Self.allowed(r.match(method: .get, path: "/p/1")) == ["POST", "PUT"])
    }

    @Test func methodNotAllowedOnParameterRoute() throws {
        let r = try Self.router([(.get, "/items/:id")])
        #expect(Self.allowed(r.match(method: .delete, path: "/items/4")) == ["GET", "HEAD"])
    }

    // MARK: - registration

    @Test func clashNamesBothPatternsAndPlugins() throws {
        let r = Router()
        try r.add(.get, "/a/:x", plugin: "first", maxBody: nil) { _ in .text("1") }
        do throws(RouteError) {
            try r.add(.get, "/a/:y", plugin: "second", maxBody: nil) { _ in .text("2") }
            Issue.record("clash not detected")
        } catch {
            let text = error.description
            #expect(text.contains("/a/:x"))
            #expect(text.contains("/a/:y"))
            #expect(text.contains("first"))
            #expect(text.contains("second"))
        }
    }

    @Test func clashWithKernelRouteNamesTheKernel() throws {
        let r = Router()
        try r.add(.get, "/healthz", plugin: nil, maxBody: nil) { _ in .text("ok") }
        #expect(throws: RouteError.self) { try r.add(.get, "/healthz", plugin: "rogue", maxBody: nil) { _ in .text("x") } }
        do throws(RouteError) {
            try r.add(.get, "/healthz", plugin: "rogue", maxBody: nil) { _ in .text("x") }
        } catch {
            #expect(error.description.contains("kernel"))
            #expect(error.description.contains("rogue"))
        }
    }

    @Test func sameShapeOtherMethodOrLiteralVsParameterIsNoClash() throws {
        let r = Router()
        try r.add(.get, "/a/:x", plugin: "p", maxBody: nil) { _ in .text("1") }
        try r.add(.post, "/a/:y", plugin: "q", maxBody: nil) { _ in .text("2") }
        try r.add(.get, "/a/lit", plugin: "q", maxBody: nil) { _ in .text("3") }
        #expect(r.routes.count == 3)
        // The second registration's parameter name is its own.
        #expect(Self.found(r.match(method: .post, path: "/a/7"))?.parameters == ["y": "7"])
        #expect(Self.found(r.match(method: .get, path: "/a/7"))?.parameters == ["x": "7"])
    }

    @Test("invalid patterns are refused", arguments: ["", "a", "a/b", "/a//b", "/a/", "//", "/a/:", "/:x/:x", "/a/:id/b/:id"])
    func invalidPatterns(_ pattern: String) {
        let r = Router()
        #expect(throws: RouteError.self) { try r.add(.get, pattern, plugin: "p", maxBody: nil) { _ in .text("x") } }
        #expect(r.routes.isEmpty)
    }

    @Test func routeIndicesAndMaxBody() throws {
        let r = Router()
        try r.add(.get, "/one", plugin: nil, maxBody: nil) { _ in .text("1") }
        try r.add(.post, "/two/:x", plugin: "p", maxBody: 10) { _ in .text("2") }
        #expect(r.routeCount == 3)
        #expect(r.pattern(at: 0) == "unmatched")
        #expect(r.pattern(at: 1) == "/one")
        #expect(r.pattern(at: 2) == "/two/:x")
        guard case .found(let route, _) = r.match(method: .post, path: "/two/5") else {
            Issue.record("not found")
            return
        }
        #expect(route.index == 2)
        #expect(route.maxBody == 10)
        #expect(route.plugin == "p")
    }

    @Test func handlersAreTheRegisteredOnes() async throws {
        let r = try Self.router([(.get, "/h/:x"), (.get, "/h/lit")])
        for (path, pattern) in [("/h/lit", "/h/lit"), ("/h/z", "/h/:x")] {
            guard case .found(let route, let parameters) = r.match(method: .get, path: path) else {
                Issue.record("\(path) not found")
                continue
            }
            let response = await LoopWorker.run(route, Request(method: .get, path: path, parameters: parameters), log: JSONLogger(level: .error))
            #expect(String(decoding: response.body, as: UTF8.self) == pattern)
        }
    }
}
