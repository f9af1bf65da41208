import PluginAPI

/// The HTML of the admin pages: a shell (menu, heading, an empty `#content` the script fills)
/// and the headers every page is sent with. Nothing in it comes from a request but escaped
/// text; the script builds content with DOM calls (`textContent`), never `innerHTML`.
enum AdminUIHTML {
    /// Scripts and styles only from our own files (no inline script can run even if markup
    /// were injected), fetches only to us, no framing.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    static func response(_ html: String, status: Int) -> Response {
        var response = Response(status: status, body: Array(html.utf8))
        response.headers.set("Content-Type", "text/html; charset=utf-8")
        response.headers.set("Cache-Control", "no-store")
        response.headers.set("Content-Security-Policy", contentSecurityPolicy)
        response.headers.set("X-Frame-Options", "DENY")
        response.headers.set("X-Content-Type-Options", "nosniff")
        // Same-origin requests keep their Referer (CrossSiteCheck's fallback); others get none.
        response.headers.set("Referrer-Policy", "same-origin")
        return response
    }

    static func head(title: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · Switchboard</title>
        <link rel="stylesheet" href="/admin/assets/app.css">
        <script src="/admin/assets/app.js" defer></script>
        </head>
        """
    }

    static func shell(page: AdminUIPage, menu: [AdminUIPage]) -> String {
        var links = ""
        for item in menu {
            let current = item.path == page.path ? " aria-current=\"page\"" : ""
            links += "<a href=\"\(escape(item.path))\"\(current)>\(escape(item.title))</a>"
        }
        return head(title: page.title) + """
        <body data-view="\(escape(page.view))" data-panel="\(escape(page.panel ?? ""))" data-features="\(escape(page.features.joined(separator: " ")))">
        <header class="bar">
        <span class="brand">Switchboard</span>
        <nav>\(links)</nav>
        <form method="post" action="/admin/logout" class="logout"><button type="submit">Log out</button></form>
        </header>
        <main>
        <h1>\(escape(page.title))</h1>
        <p id="notice" class="notice" role="status" hidden></p>
        <div id="content"><p class="muted">Loading…</p></div>
        </main>
        </body>
        </html>
        """
    }

    /// Text for an HTML text node or a double-quoted attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
