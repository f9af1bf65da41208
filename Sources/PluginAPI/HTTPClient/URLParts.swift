/// An absolute URL split just enough to show it safely: `scheme://userinfo@host:port/path?query#fragment`.
/// Not a validator: the transport decides what it accepts.
struct URLParts {
    var scheme: String
    var userinfo: String?
    var hostPort: String
    var path: String
    var query: String?
    var fragment: String?

    /// nil when there is no `scheme://`.
    init?(_ url: String) {
        guard let separator = url.firstRange(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound]
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        self.scheme = scheme.lowercased()
        var rest = url[separator.upperBound...]
        if let hash = rest.firstIndex(of: "#") {
            fragment = String(rest[rest.index(after: hash)...])
            rest = rest[..<hash]
        }
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = rest[..<mark]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        path = String(rest[authorityEnd...])
        // The last "@" ends the userinfo: passwords may contain unescaped "@".
        if let at = authority.lastIndex(of: "@") {
            userinfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        }
        hostPort = String(authority)
    }

    /// `scheme://host[:port]/path`.
    var safe: String { "\(scheme)://\(hostPort)\(path)" }
}
