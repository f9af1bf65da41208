import Foundation
import PluginAPI
import PluginTesting
import Testing
@testable import Kernel

/// The route-wide security sweep (issue 8): with every built-in plugin enabled, every route in
/// the router is sent a request without the token, one with a wrong token, one with the token
/// but no `Bearer` scheme and one with the token in the query. A route that
/// answers 401 `unauthorized` is an admin route and must be described as one in
/// `/openapi.json`; every route described as admin, and every route under a prefix DESIGN §7b
/// puts behind the admin token, must refuse them all — so a route that forgot its guard
/// fails here even though it never answers 401.
@Suite struct RouteSecurityTests {
    /// DESIGN §7b: what the admin token guards (the `/admin` UI's login page is public, so
    /// the UI's own routes are judged by their descriptions).
    static let guardedPrefixes = ["/api/admin/", "/openapi.json", "/integrity", "/metaflow/send", "/metaflow/responses",
                                  "/cloudtalk/calls"]

    static func mustBeGuarded(_ pattern: String) -> Bool {
        guardedPrefixes.contains { pattern == $0 || pattern.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") || pattern.hasPrefix($0 + ".") }
    }

    @Test func everyAdminRouteIsDescribedAndRefusesMissingAndWrongTokens() async throws {
        let host = try await AllPlugins.host()
        let operations = AllPlugins.operations(try await AllPlugins.document(host))
        var adminRoutes = 0
        for route in host.kernel.routeTable {
            let key = "\(route.method) \(RouteDocCheck.templated(route.pattern))"
            let path = AllPlugins.concrete(route.pattern)
            let anonymous = await host.request(route.method, path)
            let wrong = await host.request(route.method, path, headers: ["Authorization": "Bearer wrong-\(AllPlugins.adminToken)"])
            // The right token, but not as a bearer credential (no scheme; in the query).
            let unscheme = await host.request(route.method, path, headers: ["Authorization": AllPlugins.adminToken])
            let inQuery = await host.request(route.method, path + "?token=\(AllPlugins.adminToken)")
            let operation = operations[key]
            let documentedAdmin = operation.map(AllPlugins.isAdmin) ?? false
            if anonymous.status == 401 && AllPlugins.errorCode(anonymous) == "unauthorized" {
                #expect(documentedAdmin, "\(key) refuses without the admin token but is not described as an admin route in /openapi.json")
            }
            if Self.mustBeGuarded(route.pattern) {
                #expect(documentedAdmin, "\(key) is behind the admin token (DESIGN §7b) but not described as an admin route")
            }
            guard documentedAdmin || Self.mustBeGuarded(route.pattern) else { continue }
            adminRoutes += 1
            for (what, response) in [("without a token", anonymous), ("with a wrong token", wrong),
                                      ("with the token but no Bearer scheme", unscheme), ("with the token in the query", inQuery)] {
                #expect(response.status == 401, "\(key) \(what): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
                #expect(AllPlugins.errorCode(response) == "unauthorized", "\(key) \(what)")
                #expect(response.headers["www-authenticate"]?.hasPrefix("Bearer") == true, "\(key) \(what): no Bearer challenge")
            }
        }
        // Not vacuous: the kernel's 14 admin routes and MetaFlow's 5 operator routes at least.
        #expect(adminRoutes >= 19, "only \(adminRoutes) admin routes found")
        await host.stop()
    }

    /// Without `admin.token` configured nothing is authorized, whatever the request carries.
    @Test func withoutAConfiguredTokenEveryAdminRouteRefuses() async throws {
        let host = try await AllPlugins.host(adminToken: nil)
        // The document itself is admin-only, so take the descriptions from a host that has a token.
        let reference = try await AllPlugins.host()
        let operations = AllPlugins.operations(try await AllPlugins.document(reference))
        await reference.stop()
        var checked = 0
        for route in host.kernel.routeTable {
            let key = "\(route.method) \(RouteDocCheck.templated(route.pattern))"
            guard let operation = operations[key], AllPlugins.isAdmin(operation) else { continue }
            let response = await host.request(route.method, AllPlugins.concrete(route.pattern), headers: AllPlugins.admin)
            #expect(response.status == 401, "\(key): \(response.status)")
            checked += 1
        }
        #expect(checked >= 19)
        await host.stop()
    }

    /// The probes stay public (load balancers carry no token).
    @Test func probesNeedNoToken() async throws {
        let host = try await AllPlugins.host()
        #expect(await host.request(.get, "/healthz").status == 200)
        #expect(await host.request(.get, "/metrics").status == 200)
        await host.stop()
    }
}
