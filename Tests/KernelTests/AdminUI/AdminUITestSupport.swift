import Foundation
import PluginAPI
@testable import Kernel

/// A plugin with admin routes of its own, guarded by `context.adminAuthorized` as a real
/// plugin's are (MetaFlow's responses, panels' sources and actions), and a panel over them.
struct GuardedPlugin: Plugin {
    static let id = "guarded"
    /// Markup in a plugin's text must reach the page as text.
    static let panelTitle = #"Things <img src=x onerror="alert(1)"> & co"#
    let context: any PluginContext

    init(context: any PluginContext) throws { self.context = context }

    func register(_ registrar: any Registrar) throws {
        let context = self.context
        registrar.route(.get, "/things") { request in
            guard context.adminAuthorized(request) else { return .error(status: 401, code: "unauthorized", message: "admin only") }
            return .json(bytes: Array(#"{"things":[{"thing_id":"t1","phone":"+212610059159"}],"next":null}"#.utf8))
        }
        registrar.route(.post, "/things/:thing_id/poke") { request in
            guard context.adminAuthorized(request) else { return .error(status: 401, code: "unauthorized", message: "admin only") }
            return .json(bytes: Array(#"{"poked":true}"#.utf8))
        }
        registrar.adminPanel(AdminPanel(id: "things", title: GuardedPlugin.panelTitle, source: "/things", rowsKey: "things",
                                        columns: [.init("thing_id", title: "Thing"), .init("phone", title: "Phone", format: .phone)],
                                        actions: [.init("Poke", path: "/things/:thing_id/poke")]))
    }
}

/// A browser's view of a test server: requests with `Host: 127.0.0.1:<port>`, a cookie when
/// logged in, and whatever `Origin`/`Referer` the test says.
struct BrowserClient {
    static let token = "ui-admin-token-0123456789abcdef"

    let port: Int
    var cookie: String?

    var host: String { "127.0.0.1:\(port)" }
    var sameOrigin: String { "http://\(host)" }

    func send(_ method: String, _ target: String, headers: [(String, String)] = [], body: String = "") async throws -> RawClient.Answer {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
        if let cookie { head += "Cookie: theme=dark; \(AdminSession.cookieName)=\(cookie)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let request = Array((head + "\r\n" + body).utf8)
        let port = self.port
        return try await onThread {
            let client = try RawClient(port: port)
            try client.send(request)
            return try client.read()
        }
    }

    /// Posts the login form as the browser would (same origin).
    func login(token: String = BrowserClient.token, next: String? = nil, headers: [(String, String)] = []) async throws -> RawClient.Answer {
        var form = "token=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token)
        if let next { form += "&next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next) }
        return try await send("POST", "/admin/login", headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Origin", sameOrigin)] + headers,
                              body: form)
    }

    /// A client holding the session cookie the login answered with.
    func loggedIn() async throws -> BrowserClient {
        let answer = try await login()
        guard answer.status == 303, let setCookie = answer.header("set-cookie"), let value = Self.cookieValue(setCookie) else {
            throw RawClient.Failure(description: "login failed: \(answer.status) \(answer.text)")
        }
        var client = self
        client.cookie = value
        return client
    }

    /// The value in `name=value; attributes…`.
    static func cookieValue(_ setCookie: String) -> String? {
        guard let first = setCookie.split(separator: ";").first, first.hasPrefix(AdminSession.cookieName + "=") else { return nil }
        return String(first.dropFirst(AdminSession.cookieName.count + 1))
    }

    /// The attributes of a `Set-Cookie` value, lower-cased names (`httponly`, `samesite=strict`).
    static func attributes(_ setCookie: String) -> Set<String> {
        Set(setCookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    }
}

/// A test server with the admin token, `GuardedPlugin` and `TestKitPlugin`.
func withUIServer<T>(adjust: @escaping (inout SwitchboardConfig) -> Void = { _ in },
                     _ body: (TestServer, BrowserClient) async throws -> T) async throws -> T {
    try await withTestServer(plugins: [GuardedPlugin.self, TestKitPlugin.self], adjust: {
        $0.admin.token = BrowserClient.token
        adjust(&$0)
    }) { server in
        try await body(server, BrowserClient(port: server.port))
    }
}
