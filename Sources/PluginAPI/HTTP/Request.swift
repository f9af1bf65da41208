/// An HTTP request as a handler sees it: parsed, framed and size-checked by the kernel.
public struct Request: Sendable {
    public var method: HTTPMethod
    /// The path without query, percent-decoding not applied (`/metaflow/endpoint/survey`).
    public var path: String
    /// The raw query string without `?`, or empty.
    public var query: String
    public var headers: HTTPHeaders
    /// The raw body bytes, de-chunked. Verify signatures on these bytes, before parsing.
    public var body: [UInt8]
    /// Values of `:param` segments in the matched route pattern.
    public var parameters: [String: String]
    /// The client's address as the socket saw it (the proxy's, behind a reverse proxy).
    public var remoteAddress: String
    /// The `X-Request-Id` the client sent, or one the kernel generated; echoed in the answer.
    public var requestID: String

    public init(
        method: HTTPMethod, path: String, query: String = "", headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], parameters: [String: String] = [:], remoteAddress: String = "", requestID: String = ""
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.parameters = parameters
        self.remoteAddress = remoteAddress
        self.requestID = requestID
    }

    /// Query parameters decoded from `application/x-www-form-urlencoded` form; the first
    /// value wins for a repeated name.
    public var queryItems: [String: String] { FormDecoding.items(query) }

    /// The body's fields when it is `application/x-www-form-urlencoded` (providers that post
    /// forms: `From=%2B2126…&Body=hi`); the first value wins for a repeated name. Read the raw
    /// `body` for signatures: this is the decoded view.
    public var formItems: [String: String] { FormDecoding.items(bodyText) }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Percent- and plus-decoding of form and query components.
public enum FormDecoding {
    /// `a=1&b=x+y` → `["a": "1", "b": "x y"]`; the first value wins for a repeated name, a name
    /// without `=` has the empty value.
    public static func items<S: StringProtocol>(_ text: S) -> [String: String] {
        var items: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(Substring(parts[0]))
            if items[name] == nil { items[name] = parts.count > 1 ? decode(Substring(parts[1])) : "" }
        }
        return items
    }

    public static func decode(_ s: Substring) -> String {
        var out = [UInt8]()
        out.reserveCapacity(s.utf8.count)
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if c == UInt8(ascii: "%"), it.count >= 2, let hi = hexValue(it[it.startIndex]), let lo = hexValue(it[it.startIndex + 1]) {
                out.append(hi << 4 | lo)
                it = it.dropFirst(2)
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
