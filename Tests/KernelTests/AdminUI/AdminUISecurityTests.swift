import Foundation
import PluginAPI
import Testing
@testable import Kernel

/// The admin UI's login, session cookie and CSRF defence, over real sockets.
@Suite("admin UI security")
struct AdminUISecurityTests {
    @Test func loginWithTheTokenSetsAnHttpOnlyStrictCookieThatIsNotTheToken() async throws {
        try await withUIServer { _, browser in
            let answer = try await browser.login(next: "/admin/inbox")
            #expect(answer.status == 303)
            #expect(answer.header("location") == "/admin/inbox")
            let setCookie = try #require(answer.header("set-cookie"))
            let attributes = BrowserClient.attributes(setCookie)
            #expect(attributes.contains("httponly"))
            #expect(attributes.contains("samesite=strict"))
            #expect(attributes.contains("path=/"))
            #expect(attributes.contains("max-age=43200"), "12 h by default: \(setCookie)")
            #expect(!attributes.contains("secure"), "plain HTTP without a proxy saying TLS: \(setCookie)")
            let value = try #require(BrowserClient.cookieValue(setCookie))
            #expect(!value.contains(BrowserClient.token))
            #expect(value.hasPrefix("v1."))
        }
    }

    @Test func theCookieIsSecureBehindATLSProxyOrWhenConfigured() async throws {
        try await withUIServer { _, browser in
            let proxied = try await browser.login(headers: [("X-Forwarded-Proto", "https")])
            #expect(BrowserClient.attributes(try #require(proxied.header("set-cookie"))).contains("secure"))
        }
        try await withUIServer(adjust: { $0.admin.secureCookie = true; $0.admin.sessionTTL = .seconds(600) }) { _, browser in
            let attributes = BrowserClient.attributes(try #require(try await browser.login().header("set-cookie")))
            #expect(attributes.contains("secure"))
            #expect(attributes.contains("max-age=600"))
        }
        try await withUIServer(adjust: { $0.admin.secureCookie = false }) { _, browser in
            let answer = try await browser.login(headers: [("X-Forwarded-Proto", "https")])
            #expect(!BrowserClient.attributes(try #require(answer.header("set-cookie"))).contains("secure"))
        }
    }

    @Test func aWrongTokenIsRefusedWithoutACookie() async throws {
        try await withUIServer { _, browser in
            for token in ["not-the-token-at-all-0000", BrowserClient.token + "x", String(BrowserClient.token.dropLast())] {
                let answer = try await browser.login(token: token)
                #expect(answer.status == 401)
                #expect(answer.header("set-cookie") == nil)
                #expect(answer.text.contains("Wrong admin token."))
                #expect(!answer.text.contains(BrowserClient.token))
            }
            let empty = try await browser.send("POST", "/admin/login", headers: [("Origin", browser.sameOrigin)], body: "next=%2Fadmin")
            #expect(empty.status == 401)
        }
    }

    @Test func withoutAConfiguredTokenNobodyLogsIn() async throws {
        try await withTestServer(plugins: [GuardedPlugin.self]) { server in
            let answer = try await BrowserClient(port: server.port).login()
            #expect(answer.status == 401)
            #expect(answer.header("set-cookie") == nil)
            #expect(answer.text.contains("No admin token is configured"))
        }
    }

    @Test func theCookieAuthorizesTheAdminAPIAndPluginAdminRoutes() async throws {
        try await withUIServer { _, browser in
            let anonymous = try await browser.send("GET", "/api/admin/inbox")
            #expect(anonymous.status == 401)
            #expect(try await browser.send("GET", "/guarded/things").status == 401)
            let session = try await browser.loggedIn()
            for target in ["/api/admin/inbox", "/api/admin/jobs", "/api/admin/phones/report", "/api/admin/panels", "/guarded/things"] {
                let answer = try await session.send("GET", target)
                #expect(answer.status == 200, "\(target): \(answer.text)")
            }
            let poke = try await session.send("POST", "/guarded/things/t1/poke", headers: [("Origin", session.sameOrigin)])
            #expect(poke.status == 200, "\(poke.text)")
            #expect(poke.text == #"{"poked":true}"#)
            // A same-origin state change on the kernel's API goes through to the handler (the
            // job does not exist: 404, not 401 or 403).
            let retry = try await session.send("POST", "/api/admin/jobs/999999/retry", headers: [("Origin", session.sameOrigin)])
            #expect(retry.status == 404, "\(retry.text)")
            let referred = try await session.send("POST", "/api/admin/jobs/999999/retry", headers: [("Referer", session.sameOrigin + "/admin/inbox")])
            #expect(referred.status == 404, "\(referred.text)")
        }
    }

    @Test func aForgedOrForeignCookieIsRefused() async throws {
        try await withUIServer { _, browser in
            let session = try await browser.loggedIn()
            let value = try #require(session.cookie)
            var tampered = browser
            // A later expiry with the old MAC.
            let parts = value.split(separator: ".")
            tampered.cookie = "\(parts[0]).\(Int64(parts[1])! + 86_400).\(parts[2]).\(parts[3])"
            #expect(try await tampered.send("GET", "/api/admin/inbox").status == 401)
            tampered.cookie = BrowserClient.token
            #expect(try await tampered.send("GET", "/api/admin/inbox").status == 401)
            tampered.cookie = ""
            #expect(try await tampered.send("GET", "/guarded/things").status == 401)
        }
        // A session of another token (another deployment) is not one of ours.
        let crypto = OpenSSLCrypto()
        let other = try #require(AdminSession(token: "another-deployment-token-000", crypto: crypto))
        let foreign = try other.mint(expiresAt: Int64(Date().timeIntervalSince1970) + 3600)
        try await withUIServer { _, browser in
            var client = browser
            client.cookie = foreign
            let answer = try await client.send("GET", "/api/admin/jobs")
            #expect(answer.status == 401)
            #expect(answer.text.contains("log in again"))
        }
    }

    @Test func sessionsExpireAndDieWithTheToken() throws {
        let crypto = OpenSSLCrypto()
        let session = try #require(AdminSession(token: BrowserClient.token, crypto: crypto))
        let value = try session.mint(expiresAt: 1_000)
        #expect(session.isValid(value, now: 999))
        #expect(!session.isValid(value, now: 1_000))
        let rotated = try #require(AdminSession(token: BrowserClient.token + "-rotated", crypto: crypto))
        #expect(!rotated.isValid(value, now: 999))
        #expect(AdminSession(token: nil, crypto: crypto) == nil)
        for garbage in ["", "v1", "v1.1000.x.y", "v2" + value.dropFirst(2), value + "0", "v1.99999999999999999999." + value.split(separator: ".")[2] + "." + value.split(separator: ".")[3]] {
            #expect(!session.isValid(garbage, now: 0), "\(garbage)")
        }
    }

    @Test func crossSiteStateChangesWithTheCookieAreRefused() async throws {
        try await withUIServer { _, browser in
            let session = try await browser.loggedIn()
            let foreign: [[(String, String)]] = [
                [("Origin", "https://evil.example")],
                [("Origin", "null")],
                [("Origin", "http://127.0.0.1:\(browser.port + 1)")],
                [("Referer", "https://evil.example/admin/inbox")],
                [("Origin", "http://\(browser.host)@evil.example")],
                [],  // neither header: refused too
            ]
            for headers in foreign {
                for (method, target) in [("POST", "/api/admin/jobs/1/retry"), ("POST", "/api/admin/inbox/1/replay"),
                                         ("POST", "/api/admin/phones/assign"), ("POST", "/guarded/things/t1/poke"), ("POST", "/admin/logout")] {
                    let answer = try await session.send(method, target, headers: headers, body: "{}")
                    #expect(answer.status == 403, "\(method) \(target) \(headers): \(answer.status) \(answer.text)")
                    #expect(answer.header("content-type") == "application/json")
                    #expect(answer.text.contains(#""code":"cross_site_request""#))
                }
            }
            // Reads stay allowed (a top-level navigation from a link elsewhere carries no
            // cookie under SameSite=Strict anyway; GETs change nothing).
            #expect(try await session.send("GET", "/api/admin/jobs", headers: [("Origin", "https://evil.example")]).status == 200)
        }
    }

    @Test func aCrossSiteLoginFormIsRefused() async throws {
        try await withUIServer { _, browser in
            let answer = try await browser.send("POST", "/admin/login", headers: [("Origin", "https://evil.example")],
                                                body: "token=\(BrowserClient.token)")
            #expect(answer.status == 403)
            #expect(answer.header("set-cookie") == nil)
        }
    }

    @Test func theBearerTokenStillWorksAndIsNotSubjectToTheOriginCheck() async throws {
        try await withUIServer { _, browser in
            let answer = try await browser.send("POST", "/api/admin/jobs/999999/retry",
                                                headers: [("Authorization", "Bearer \(BrowserClient.token)"), ("Origin", "https://elsewhere.example")])
            #expect(answer.status == 404)
            let wrong = try await browser.send("GET", "/api/admin/jobs", headers: [("Authorization", "Bearer wrong-token-0000000000")])
            #expect(wrong.status == 401)
            // A wrong bearer token is not rescued by a valid cookie.
            let session = try await browser.loggedIn()
            let mixed = try await session.send("GET", "/api/admin/jobs", headers: [("Authorization", "Bearer wrong-token-0000000000")])
            #expect(mixed.status == 401)
        }
    }

    @Test func logoutClearsTheCookie() async throws {
        try await withUIServer { _, browser in
            let session = try await browser.loggedIn()
            let answer = try await session.send("POST", "/admin/logout", headers: [("Origin", session.sameOrigin)])
            #expect(answer.status == 303)
            #expect(answer.header("location") == "/admin/login")
            let setCookie = try #require(answer.header("set-cookie"))
            #expect(BrowserClient.cookieValue(setCookie) == "")
            let attributes = BrowserClient.attributes(setCookie)
            #expect(attributes.contains("max-age=0"))
            #expect(attributes.contains("httponly") && attributes.contains("samesite=strict") && attributes.contains("path=/"))
        }
    }

    @Test func pagesWithoutASessionRedirectToLoginAndJSONAnswers401() async throws {
        try await withUIServer { _, browser in
            for path in ["/admin", "/admin/review", "/admin/inbox", "/admin/panels/guarded.things"] {
                let answer = try await browser.send("GET", path)
                #expect(answer.status == 303, "\(path)")
                #expect(answer.header("location") == "/admin/login?next=" + path)
                #expect(answer.body.isEmpty || !answer.text.contains("<nav>"))
            }
            let json = try await browser.send("GET", "/api/admin/phones/report")
            #expect(json.status == 401)
            #expect(json.header("content-type") == "application/json")
            // The login page and the assets need no session (they hold no data).
            #expect(try await browser.send("GET", "/admin/login").status == 200)
            #expect(try await browser.send("GET", "/admin/assets/app.js").status == 200)
        }
    }

    @Test func afterLoginThePagesAreServedWithAStrictPolicy() async throws {
        try await withUIServer { _, browser in
            let session = try await browser.loggedIn()
            let answer = try await session.send("GET", "/admin/inbox")
            #expect(answer.status == 200)
            #expect(answer.header("content-type") == "text/html; charset=utf-8")
            let policy = try #require(answer.header("content-security-policy"))
            #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"))
            #expect(answer.header("x-frame-options") == "DENY")
            #expect(answer.header("cache-control") == "no-store")
            #expect(answer.text.contains(#"data-view="inbox""#))
            // The menu: the kernel's pages and the enabled plugin's panel; no Responses or
            // Monitor without MetaFlow's listing and Integrity's stream.
            #expect(answer.text.contains(#"href="/admin/panels/guarded.things""#))
            #expect(answer.text.contains("Things &lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; co"))
            #expect(!answer.text.contains("<img"))
            #expect(!answer.text.contains("/admin/responses") && !answer.text.contains("/admin/monitor"))
            #expect(try await session.send("GET", "/admin/responses").status == 404)
            #expect(try await session.send("GET", "/admin/monitor").status == 404)
            // Logged in, the login page sends the operator on.
            #expect(try await session.send("GET", "/admin/login").status == 303)
        }
    }

    @Test func loginRedirectsOnlyToOurOwnPages() async throws {
        try await withUIServer { _, browser in
            for next in ["//evil.example/admin", "https://evil.example", "/admin/../x", "/\\evil.example", "/adminx", "/admin/\u{7f}"] {
                let answer = try await browser.login(next: next)
                let location = answer.header("location") ?? ""
                #expect(location == "/admin", "\(next) → \(location)")
            }
            #expect(AdminUILogin.safeNext("/admin/review") == "/admin/review")
            #expect(AdminUILogin.safeNext("//evil.example") == "/admin")
            #expect(AdminUILogin.safeNext(nil) == "/admin")
        }
    }

    @Test func noRequestPathReachesTheFileSystem() async throws {
        try await withUIServer { _, browser in
            let session = try await browser.loggedIn()
            for target in ["/admin/assets/../../../etc/passwd", "/admin/assets/%2e%2e/%2e%2e/etc/passwd", "/admin/assets/app.js/../../Package.swift",
                           "/admin/assets/AdminUIRoutes.swift", "/admin/panels/..%2f..%2fetc%2fpasswd"] {
                let answer = try await session.send("GET", target)
                #expect(answer.status == 404, "\(target): \(answer.status)")
                #expect(!answer.text.contains("root:"))
            }
            let script = try await session.send("GET", "/admin/assets/app.js")
            #expect(script.header("content-type") == "text/javascript; charset=utf-8")
            #expect(script.text == AdminUIAssets.script)
            let css = try await session.send("GET", "/admin/assets/app.css")
            #expect(css.header("content-type") == "text/css; charset=utf-8")
            #expect(css.text == AdminUIAssets.css)
        }
    }

    @Test func originsAreComparedByAuthority() {
        #expect(CrossSiteCheck.authority(of: "http://127.0.0.1:8080") == "127.0.0.1:8080")
        #expect(CrossSiteCheck.authority(of: "https://Admin.Example.com/admin/inbox?x=1") == "Admin.Example.com")
        #expect(CrossSiteCheck.authority(of: "null") == nil)
        #expect(CrossSiteCheck.authority(of: "ftp://example.com") == nil)
        #expect(CrossSiteCheck.authority(of: "http://user@example.com") == nil)
        let request = Request(method: .post, path: "/x", headers: ["Host": "admin.example.com", "Origin": "https://ADMIN.example.com"])
        #expect(CrossSiteCheck.allows(request))
        #expect(!CrossSiteCheck.allows(Request(method: .post, path: "/x", headers: ["Host": "admin.example.com"])))
        #expect(CrossSiteCheck.allows(Request(method: .get, path: "/x")))
    }
}
