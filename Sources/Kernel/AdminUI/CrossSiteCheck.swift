import PluginAPI

/// CSRF defence for cookie-authenticated requests. A browser attaches the session cookie to
/// any request to our host (`SameSite=Strict` already keeps it off cross-site requests in
/// current browsers; this is the second wall): a request that changes state must show it came
/// from one of our own pages — its `Origin`, or failing that its `Referer` (our pages send
/// `Referrer-Policy: same-origin`), names the host the request was sent to (`Host`). Behind a
/// reverse proxy the proxy must pass `Host` through unchanged.
enum CrossSiteCheck {
    /// Whether `request` may act on the operator's session: a safe method, or an unsafe one
    /// whose `Origin`/`Referer` host equals `Host`. Neither header: refused.
    static func allows(_ request: Request) -> Bool {
        switch request.method {
        case .get, .head, .options: return true
        default: break
        }
        guard let host = request.headers["host"]?.trimmingASCIIWhitespace(), !host.isEmpty else { return false }
        if let origin = request.headers["origin"] {
            return authority(of: origin).map { equalsIgnoringCase($0, host) } ?? false
        }
        if let referer = request.headers["referer"] {
            return authority(of: referer).map { equalsIgnoringCase($0, host) } ?? false
        }
        return false
    }

    /// `host[:port]` of an absolute http(s) URL, or nil (`null`, other schemes, garbage).
    static func authority(of url: String) -> String? {
        let text = url.trimmingASCIIWhitespace()
        let rest: Substring
        if text.lowercased().hasPrefix("https://") {
            rest = text.dropFirst(8)
        } else if text.lowercased().hasPrefix("http://") {
            rest = text.dropFirst(7)
        } else {
            return nil
        }
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<end]
        // Userinfo in an Origin or Referer is never sent by browsers: treat it as foreign.
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        return String(authority)
    }

    static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool { a.lowercased() == b.lowercased() }
}

/// Refuses, before any handler runs, a state-changing request that carries the admin session
/// cookie but comes from another site: 403 `cross_site_request`. Requests with an
/// `Authorization` header are left to the handler (a browser cannot add one cross-site
/// without a CORS preflight, which this server never grants).
enum CrossSiteGuard {
    static func wrap(_ method: HTTPMethod, _ action: RouteAction) -> RouteAction {
        switch method {
        case .get, .head, .options: return action
        default: break
        }
        switch action {
        case .immediate(let handler):
            return .immediate { request in
                if let refusal = refusal(request) { return refusal }
                return try handler(request)
            }
        case .async(let handler):
            return .async { request in
                if let refusal = refusal(request) { return refusal }
                return try await handler(request)
            }
        }
    }

    static func refusal(_ request: Request) -> Response? {
        guard request.headers["authorization"] == nil,
              AdminSession.cookie(AdminSession.cookieName, in: request.headers) != nil,
              !CrossSiteCheck.allows(request) else { return nil }
        return .error(status: 403, code: "cross_site_request",
                      message: "a state-changing request with the admin session must come from this server's own pages (Origin or Referer must match Host)")
    }
}
