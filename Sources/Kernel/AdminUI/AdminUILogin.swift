import PluginAPI

/// The login page: one password field for the admin token, posted to `/admin/login`.
enum AdminUILogin {
    static func page(next: String, problem: String?, status: Int) -> Response {
        let message = problem.map { "<p class=\"error\" role=\"alert\">\(AdminUIHTML.escape($0))</p>" } ?? ""
        let html = AdminUIHTML.head(title: "Log in") + """
        <body data-view="login" class="login">
        <main>
        <h1>Switchboard admin</h1>
        \(message)
        <form method="post" action="/admin/login" class="card">
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
        <input type="hidden" name="next" value="\(AdminUIHTML.escape(next))">
        <button type="submit">Log in</button>
        </form>
        <p class="muted">The token is <code>admin.token</code> in the server's config. It is exchanged for a session cookie; it is not stored in the browser.</p>
        </main>
        </body>
        </html>
        """
        return AdminUIHTML.response(html, status: status)
    }

    /// Where to go after logging in: an `/admin` path of ours, never another site
    /// (`//evil.example`, `/\\evil`, a scheme, `..`) — anything else is `/admin`.
    static func safeNext(_ next: String?) -> String {
        guard let next, next == "/admin" || next.hasPrefix("/admin/"),
              !next.contains("//"), !next.contains("\\"), !next.contains("/.."), next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
            return "/admin"
        }
        return next
    }

    /// A path for a query value: unreserved characters and `/` kept, the rest percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
