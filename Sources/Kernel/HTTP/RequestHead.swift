import PluginAPI

/// The parsed head of a request, before routing and before the body is read.
struct RequestHead: Sendable {
    var method: HTTPMethod
    /// Path of an origin-form or absolute-form target (`/a/b`), `*` for asterisk-form.
    var path: String
    var query: String
    var versionMinor: Int
    var headers: HTTPHeaders
    var framing: BodyFraming
    /// The client asked for `100 Continue` before sending the body.
    var expectsContinue: Bool
    /// Whether the connection stays open after this exchange (version and `Connection` header).
    var keepAlive: Bool
}

/// How the request body is delimited (RFC 9112 §6.3).
enum BodyFraming: Equatable, Sendable {
    case none
    case length(Int)
    case chunked
}

/// A request the parser refuses, with the status to answer and whether the connection must
/// close (framing errors always close: the next request's start is unknown).
struct HTTPParseError: Error, Equatable {
    var status: Int
    var code: String
    var message: String

    init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    static func bad(_ message: String) -> HTTPParseError { HTTPParseError(400, "bad_request", message) }
}

/// Limits the parser enforces.
struct HTTPLimits: Sendable {
    /// Longest request target (414 beyond it).
    var maxTargetBytes = 8 * 1024
    /// Largest header section, request line excluded (431 beyond it).
    var maxHeaderBytes = 16 * 1024
    /// Most header fields.
    var maxHeaderCount = 128
}
