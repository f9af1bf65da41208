/// An HTTP request a plugin sends to another service through `context.http`.
///
///     var request = OutboundRequest.post("https://api.example.com/v1/send", json: payload)
///     request.headers.set("Authorization", "Bearer \(token)")
///     request.timeout = .seconds(10)
///
/// Header values, the query string and the URL's userinfo are treated as secrets: errors and
/// logs show the URL as `scheme://host/path` only (`safeURL`).
public struct OutboundRequest: Sendable {
    public var method: HTTPMethod
    /// An absolute `http` or `https` URL.
    public var url: String
    /// Sent as given, in order. The client adds `Host`, `Content-Length`, `Accept: */*` and a
    /// `User-Agent` unless set here; it sends no `Content-Type` you did not set.
    public var headers: HTTPHeaders
    /// Sent for any method when non-empty; POST, PUT and PATCH always send a body (maybe empty).
    public var body: [UInt8]
    /// The whole exchange, connect to last byte; the client's default (30 s) when nil.
    public var timeout: ConfigDuration?
    /// Establishing the connection (TCP and TLS); the client's default (5 s) when nil.
    public var connectTimeout: ConfigDuration?
    /// The largest response body accepted; the transfer is aborted with `.tooLarge` beyond it.
    /// The client's default (8 MiB) when nil.
    public var maxResponseBytes: Int?
    /// Follows up to 5 redirects (http and https only) when true; off by default so a 3xx is
    /// returned as it is.
    public var followRedirects: Bool

    /// A request with every field given; performs no I/O.
    public init(method: HTTPMethod, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                timeout: ConfigDuration? = nil, connectTimeout: ConfigDuration? = nil, maxResponseBytes: Int? = nil,
                followRedirects: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.followRedirects = followRedirects
    }

    /// A GET without a body.
    public static func get(_ url: String, headers: HTTPHeaders = HTTPHeaders()) -> OutboundRequest {
        OutboundRequest(method: .get, url: url, headers: headers)
    }

    /// A DELETE without a body.
    public static func delete(_ url: String, headers: HTTPHeaders = HTTPHeaders()) -> OutboundRequest {
        OutboundRequest(method: .delete, url: url, headers: headers)
    }

    /// A POST of JSON bytes, with `Content-Type: application/json` unless `headers` sets one.
    public static func post(_ url: String, json: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> OutboundRequest {
        withJSON(.post, url, json, headers)
    }

    /// A PUT of JSON bytes, with `Content-Type: application/json` unless `headers` sets one.
    public static func put(_ url: String, json: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> OutboundRequest {
        withJSON(.put, url, json, headers)
    }

    /// A PATCH of JSON bytes, with `Content-Type: application/json` unless `headers` sets one.
    public static func patch(_ url: String, json: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> OutboundRequest {
        withJSON(.patch, url, json, headers)
    }

    /// A POST of arbitrary bytes with the given content type (replacing any in `headers`).
    public static func post(_ url: String, body: [UInt8], contentType: String, headers: HTTPHeaders = HTTPHeaders()) -> OutboundRequest {
        var all = headers
        all.set("Content-Type", contentType)
        return OutboundRequest(method: .post, url: url, headers: all, body: body)
    }

    private static func withJSON(_ method: HTTPMethod, _ url: String, _ json: [UInt8], _ headers: HTTPHeaders) -> OutboundRequest {
        var all = headers
        if !all.contains("Content-Type") { all.add("Content-Type", "application/json") }
        return OutboundRequest(method: method, url: url, headers: all, body: json)
    }

    /// The URL as `scheme://host[:port]/path`, without userinfo, query or fragment (tokens
    /// often travel there): the only form of the URL errors and logs may show.
    public var safeURL: String { URLParts(url)?.safe ?? "[unparseable url]" }

    /// `text` with this request's secrets (URL userinfo, query and fragment, every header
    /// value of 4 characters or more) replaced by `[redacted]`. For text that may echo the
    /// request, such as a transport library's error message.
    public func redact(_ text: String) -> String {
        var secrets = headers.fields.map(\.value)
        if let parts = URLParts(url) {
            secrets += [parts.userinfo, parts.query, parts.fragment].compactMap { $0 }
            // Userinfo is user:password: each half alone is a secret too.
            if let userinfo = parts.userinfo { secrets += userinfo.split(separator: ":").map(String.init) }
        } else {
            secrets.append(url)
        }
        var out = text
        // Longest first, so a secret that contains another is replaced whole.
        for secret in secrets.filter({ $0.count >= 4 }).sorted(by: { $0.count > $1.count }) {
            out = out.replacingLiteral(secret, with: "[redacted]")
        }
        return out
    }
}
