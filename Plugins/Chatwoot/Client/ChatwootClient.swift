import PluginAPI

/// Chatwoot's application API for one account over `context.http`: builds
/// `{base_url}/api/v1/accounts/{account_id}/…`, sends the user token as `api_access_token`
/// (a header, which the HTTP client never logs nor puts in an error), retries 429 and 5xx with
/// backoff, and turns failures into `ChatwootError`. The endpoint calls are in the
/// `ChatwootClient+*.swift` extensions.
struct ChatwootClient: Sendable {
    let baseURL: String
    let accountID: Int
    let apiToken: String
    let http: any HTTPClient
    /// Per-request total timeout.
    var timeout = ConfigDuration.seconds(10)
    /// Tries per call, the first included: 429/5xx/transport failures are retried.
    var attempts = 3
    /// Backoff before retry n (1-based): base * 4^(n-1), unless Chatwoot says Retry-After.
    var backoffBase = ConfigDuration(milliseconds: 250)
    /// A Retry-After longer than this is not waited for: the call fails and the caller's own
    /// schedule (a job retry, the next resolution round) takes over.
    var maxWait = ConfigDuration.seconds(5)
    /// Client-side throttle for `contacts/search` (Chatwoot: 100/min per account).
    let contactSearchGate: RateGate

    init(config: ChatwootAPIConfig, http: any HTTPClient) {
        baseURL = config.baseURL
        accountID = config.accountID
        apiToken = config.apiToken
        self.http = http
        contactSearchGate = RateGate(limit: 100, window: .seconds(60))
    }

    var accountPath: String { "/api/v1/accounts/\(accountID)" }

    /// Sends one call and answers the 2xx body, retrying transient failures.
    /// `path` is below the account (`/contacts/5`); `query` values are percent-encoded here.
    func call(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json: [UInt8]? = nil) async throws -> [UInt8] {
        let fullPath = accountPath + path
        let label = "\(method) \(fullPath)"
        var url = baseURL + fullPath
        if !query.isEmpty { url += "?" + query.map { "\(URLQuery.encode($0.0))=\(URLQuery.encode($0.1))" }.joined(separator: "&") }
        var request = OutboundRequest(method: method, url: url, body: json ?? [])
        if json != nil { request.headers.set("Content-Type", "application/json") }
        request.headers.set("Accept", "application/json")
        request.headers.set("api_access_token", apiToken)
        request.timeout = timeout
        var tried = 0
        while true {
            tried += 1
            let failure: ChatwootError
            do {
                let response = try await http.send(request)
                if response.isSuccess { return response.body }
                failure = ChatwootError.from(response, call: label)
            } catch let error as OutboundHTTPError {
                failure = ChatwootError.transport(error, call: label)
            }
            guard failure.isRetryable, tried < attempts else { throw failure }
            let delay = failure.retryAfter ?? ConfigDuration(milliseconds: backoffBase.milliseconds << (2 * Int64(tried - 1)))
            guard delay <= maxWait else { throw failure }
            try await Task.sleep(for: .milliseconds(delay.milliseconds))
        }
    }

    /// `call` decoded as `T`; a body of another shape is a `.badResponse` error.
    func call<T: Decodable>(_ type: T.Type, _ method: HTTPMethod, _ path: String, query: [(String, String)] = [],
                            json: [UInt8]? = nil) async throws -> T {
        let body = try await call(method, path, query: query, json: json)
        do {
            return try JSONText.decode(T.self, from: body)
        } catch {
            throw ChatwootError(kind: .badResponse, call: "\(method) \(accountPath)\(path)", httpStatus: 200,
                                message: "unexpected response shape (\(T.self))")
        }
    }
}

/// Percent-encoding of query components: everything but RFC 3986 unreserved characters, so a
/// `+` in a phone number arrives as `%2B` (a raw `+` would become a space in Rails).
enum URLQuery {
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 0xF)])"
            }
        }
        return out
    }
}
