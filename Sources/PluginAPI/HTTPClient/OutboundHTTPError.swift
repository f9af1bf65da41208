/// Why an outbound request failed: a transport failure from `HTTPClient.send`, or an
/// unexpected status from `sendChecked`.
///
/// The description is `METHOD scheme://host/path: message`. It never contains a header
/// value, the URL's query string or userinfo: the context is built from `safeURL` and the
/// message passes through `OutboundRequest.redact`.
public struct OutboundHTTPError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, as a stable code.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// No connection: refused, unreachable, or the host name did not resolve.
        case connect
        /// The connect timeout or the total timeout ran out.
        case timeout
        /// The response body was larger than the request's cap; the transfer was aborted.
        case tooLarge
        /// Not an absolute http or https URL, or one the transport cannot parse.
        case invalidURL
        /// A request that cannot be sent as given: a header with CR, LF or NUL, a bad method
        /// token, a non-positive timeout or size cap.
        case invalidRequest
        /// The TLS handshake or certificate verification failed.
        case tls
        /// `sendChecked` only: the server answered with this non-2xx status.
        case status(Int)
        /// Anything else: the connection dropped mid-exchange, the server sent garbage, the
        /// client is closed.
        case other

        /// `connect`, `timeout`, `too_large`, `invalid_url`, `invalid_request`, `tls`, `status_429`, `other`.
        public var description: String {
            switch self {
            case .connect: "connect"
            case .timeout: "timeout"
            case .tooLarge: "too_large"
            case .invalidURL: "invalid_url"
            case .invalidRequest: "invalid_request"
            case .tls: "tls"
            case .status(let code): "status_\(code)"
            case .other: "other"
            }
        }
    }

    public var kind: Kind
    /// Whether sending the same request later may succeed. Defaults by kind: connect and
    /// timeout yes; a status when it is a transient failure (429, most 5xx); others no.
    public var retryable: Bool
    /// How long the server asked us to wait, when it said (status errors only).
    public var retryAfter: ConfigDuration?
    /// `METHOD scheme://host/path`: which request failed, without its secrets.
    public var context: String
    /// What went wrong, lower-case, redacted.
    public var message: String
    /// The response, for `.status` errors: its body often says why. Not in the description.
    public var response: OutboundResponse?

    /// An error about `request`; `message` is redacted with `request.redact` here, so an
    /// error never carries the request's secrets even when the message echoes them.
    public init(_ kind: Kind, request: OutboundRequest, _ message: String, retryable: Bool? = nil,
                retryAfter: ConfigDuration? = nil, response: OutboundResponse? = nil) {
        self.kind = kind
        self.retryable = retryable ?? Self.defaultRetryable(kind)
        self.retryAfter = retryAfter
        self.context = "\(request.method) \(request.safeURL)"
        self.message = request.redact(message)
        self.response = response
    }

    public var description: String { "\(context): \(message)" }

    private static func defaultRetryable(_ kind: Kind) -> Bool {
        switch kind {
        case .connect, .timeout: true
        case .status(let code): OutboundResponse(status: code).isTransientFailure
        case .tooLarge, .invalidURL, .invalidRequest, .tls, .other: false
        }
    }
}
