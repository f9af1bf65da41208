import Foundation
import PluginAPI

/// A send Wasender refused, classified by HTTP status (Wasender has no error codes): 429 waits
/// for `retry_after`, 401/403 alert the operator (the session's key is wrong or its session
/// was deleted), other transient statuses retry, any other 4xx fails for good. Carries
/// Wasender's message, never the request's key or body.
struct WasenderError: Error, RetryAdvising, CustomStringConvertible, Sendable {
    enum Handling: String, Sendable {
        /// Rate limited or a transient server failure: wait (at least `retry_after`) and try again.
        case retry
        /// A request no retry can fix (bad number, bad body).
        case fail
        /// The API key is refused: every send fails until an operator fixes `api_key`.
        case alert
    }

    var httpStatus: Int
    var message: String
    var handling: Handling
    var retryAfter: ConfigDuration?

    var isRetryable: Bool { handling == .retry }

    var description: String { "wasender http \(httpStatus) (\(handling.rawValue)): \(message)" }

    static func handling(httpStatus: Int) -> Handling {
        if httpStatus == 401 || httpStatus == 403 { return .alert }
        // 408 as the official clients do; 429 and most 5xx by the shared rule.
        if httpStatus == 408 || OutboundResponse(status: httpStatus).isTransientFailure { return .retry }
        return .fail
    }

    /// The error a non-2xx answer describes. `apiKey` is cut out of Wasender's message in case
    /// it ever echoes the header back.
    static func from(_ response: OutboundResponse, apiKey: String) -> WasenderError {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        var message = (object?["message"] as? String) ?? "http status \(response.status)"
        if !apiKey.isEmpty { message = message.replacingOccurrences(of: apiKey, with: "[api_key]") }
        let handling = handling(httpStatus: response.status)
        return WasenderError(httpStatus: response.status, message: String(message.prefix(300)), handling: handling,
                             retryAfter: handling == .retry ? response.retryAfter : nil)
    }
}
