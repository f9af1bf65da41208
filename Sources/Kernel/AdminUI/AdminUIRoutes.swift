import PluginAPI

/// The admin web UI at `/admin`: a login form that turns the admin token into a session
/// cookie, one HTML page per view, and the stylesheet and script they share — all compiled
/// into the binary (`AdminUIAssets`); no request path ever reaches the file system. The pages
/// are shells: the script fills them from the JSON admin API with the session cookie.
/// Pages of plugins that are not enabled (or do not serve what the page needs) are not
/// routed, and not in the menu.
struct AdminUIRoutes: Sendable {
    let check: AdminTokenCheck
    let settings: AdminSettings
    let clock: any TimeSource
    let pages: [AdminUIPage]

    /// `pluginRoutes`: the enabled plugins' routes as `METHOD /mounted/pattern`.
    init(check: AdminTokenCheck, settings: AdminSettings, clock: any TimeSource, pluginRoutes: Set<String>,
         panels: [AdminRoutes.PanelEntry]) {
        self.check = check
        self.settings = settings
        self.clock = clock
        pages = AdminUIPage.pages(routes: pluginRoutes, panels: panels)
    }

    var routes: [(HTTPMethod, String, RouteAction)] {
        var routes: [(HTTPMethod, String, RouteAction)] = [
            (.get, "/admin/login", .immediate { [self] request in
                if check.isConfigured, case .session = check.access(request) { return Self.redirect(to: "/admin") }
                return AdminUILogin.page(next: AdminUILogin.safeNext(request.queryItems["next"]), problem: nil, status: 200)
            }),
            (.post, "/admin/login", .immediate { [self] request in self.login(request) }),
            (.post, "/admin/logout", .immediate { [self] request in
                var response = Self.redirect(to: "/admin/login")
                response.headers.add("Set-Cookie", self.cookie(value: "", maxAge: 0, request: request))
                return response
            }),
            (.get, "/admin/assets/app.css", .immediate { _ in Self.asset(AdminUIAssets.css, type: "text/css; charset=utf-8") }),
            (.get, "/admin/assets/app.js", .immediate { _ in Self.asset(AdminUIAssets.script, type: "text/javascript; charset=utf-8") }),
        ]
        let menu = pages.filter(\.inMenu)
        for page in pages {
            routes.append((.get, page.path, .immediate { [self] request in
                guard check.authorizes(request) else {
                    return Self.redirect(to: "/admin/login?next=" + AdminUILogin.percentEncoded(request.path))
                }
                return AdminUIHTML.response(AdminUIHTML.shell(page: page, menu: menu), status: 200)
            }))
        }
        return routes
    }

    /// `POST /admin/login` with `token=…&next=…` (a form): the session cookie and a redirect to
    /// `next` (an `/admin` path) for the right token; the form again with 401 otherwise.
    func login(_ request: Request) -> Response {
        // Login CSRF: a form posted from another site must not log the browser in.
        if request.headers["origin"] != nil || request.headers["referer"] != nil, !CrossSiteCheck.allows(request) {
            return .error(status: 403, code: "cross_site_request", message: "the login form must be posted from this server's own page")
        }
        let form = request.formItems
        let next = AdminUILogin.safeNext(form["next"])
        guard check.isConfigured, let session = check.session else {
            return AdminUILogin.page(next: next, problem: "No admin token is configured (admin.token): the admin UI is closed.", status: 401)
        }
        guard let token = form["token"], !token.isEmpty, check.matchesToken(token) else {
            return AdminUILogin.page(next: next, problem: "Wrong admin token.", status: 401)
        }
        let ttl = settings.sessionTTL.milliseconds / 1000
        let value: String
        do {
            value = try session.mint(expiresAt: clock.nowMillis / 1000 + ttl)
        } catch {
            return .error(status: 500, code: "session_failed", message: "could not create a session: \(error)")
        }
        var response = Self.redirect(to: next)
        response.headers.add("Set-Cookie", cookie(value: value, maxAge: ttl, request: request))
        return response
    }

    /// The session cookie: `HttpOnly` (no script reads it), `SameSite=Strict` (no cross-site
    /// request carries it), `Path=/` (plugin admin routes and the event stream need it too),
    /// `Secure` per `admin.secure_cookie`.
    func cookie(value: String, maxAge: Int64, request: Request) -> String {
        var cookie = "\(AdminSession.cookieName)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
        if isSecure(request) { cookie += "; Secure" }
        return cookie
    }

    /// `admin.secure_cookie` when set; otherwise whether the request came through TLS, which
    /// only a proxy on this machine may say (`X-Forwarded-Proto: https` from a loopback peer).
    func isSecure(_ request: Request) -> Bool {
        if let configured = settings.secureCookie { return configured }
        guard request.headers["x-forwarded-proto"]?.trimmingASCIIWhitespace().lowercased() == "https" else { return false }
        return request.remoteAddress.hasPrefix("127.") || request.remoteAddress == "::1"
    }

    static func redirect(to location: String) -> Response {
        var response = Response(status: 303)
        response.headers.set("Location", location)
        response.headers.set("Cache-Control", "no-store")
        return response
    }

    static func asset(_ text: String, type: String) -> Response {
        var response = Response(status: 200, body: Array(text.utf8))
        response.headers.set("Content-Type", type)
        response.headers.set("Cache-Control", "no-cache")
        response.headers.set("X-Content-Type-Options", "nosniff")
        return response
    }
}
