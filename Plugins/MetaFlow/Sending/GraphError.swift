import PluginAPI

/// A send the Graph API refused, classified from `error.code` (Meta: key logic on the code
/// and `details`, not on HTTP statuses or titles). Carries Meta's code and details, never the
/// request's token or body.
struct GraphError: Error, RetryAdvising, CustomStringConvertible, Sendable {
    /// What to do about it.
    enum Handling: String, Sendable {
        /// Throughput, pair rate limits, Meta's transient failures: back off and try again.
        case retry
        /// Undeliverable, opted out, bad parameters, Flow blocked: no retry can help.
        case fail
        /// Token expired or missing permissions: every send will fail until an operator acts.
        case alert
        /// 131047: the 24-hour customer service window is closed; a template may still go.
        case outsideWindow = "outside_window"
    }

    var code: Int?
    var details: String
    var httpStatus: Int
    var handling: Handling
    var retryAfter: ConfigDuration?

    var isRetryable: Bool { handling == .retry }

    var description: String {
        let what = code.map { "graph error \($0)" } ?? "graph http \(httpStatus)"
        return "\(what) (\(handling.rawValue)): \(details)"
    }

    /// Codes retried with backoff (throughput, pair rate, unknown, unavailable, API
    /// transient, app and WABA call rate limits).
    static let retryCodes: Set<Int> = [130429, 131056, 131000, 131016, 1, 2, 4, 80007]
    /// Codes that fail the message for good.
    static let failCodes: Set<Int> = [131026, 131050, 100, 131008, 131009, 132068, 132069]
    /// Token and permission codes: fail and alert the operator (200–299 are permission codes too).
    static let alertCodes: Set<Int> = [190, 10]
    static let outsideWindowCode = 131047

    /// The handling of `code`; an unknown code falls back to the HTTP status (429 and most
    /// 5xx are transient, anything else will not change by waiting).
    static func handling(code: Int?, httpStatus: Int) -> Handling {
        if let code {
            if retryCodes.contains(code) { return .retry }
            if failCodes.contains(code) { return .fail }
            if alertCodes.contains(code) || (200...299).contains(code) { return .alert }
            if code == outsideWindowCode { return .outsideWindow }
        }
        return OutboundResponse(status: httpStatus).isTransientFailure ? .retry : .fail
    }

    /// The error a non-2xx answer describes.
    static func from(_ response: OutboundResponse) -> GraphError {
        let body = try? JSONText.decode(GraphErrorBody.self, from: response.body)
        let code = body?.error.code
        let details = body?.error.errorData?.details ?? body?.error.message ?? "http status \(response.status)"
        return GraphError(code: code, details: String(details.prefix(300)), httpStatus: response.status,
                          handling: handling(code: code, httpStatus: response.status), retryAfter: response.retryAfter)
    }
}

/// `{"error":{"message","type","code","error_data":{"details"},"fbtrace_id"}}`.
private struct GraphErrorBody: Decodable {
    struct Inner: Decodable {
        var message: String?
        var code: Int?
        var errorData: ErrorData?
        enum CodingKeys: String, CodingKey {
            case message, code
            case errorData = "error_data"
        }
    }

    struct ErrorData: Decodable { var details: String? }

    var error: Inner
}
