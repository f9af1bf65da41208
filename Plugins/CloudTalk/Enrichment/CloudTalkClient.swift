import Foundation
import PluginAPI

/// `GET {base_url}/calls/{id}` with HTTP Basic auth (`api_key_id:api_key_secret`). The 60
/// requests a minute CloudTalk allows are enforced by the `cloudtalk.api` queue the calls run
/// on; a 429 still waits until CloudTalk's `X-CloudTalkAPI-ResetTime`. The key pair travels only
/// in the header, which the HTTP client never logs or puts in an error.
struct CloudTalkClient: Sendable {
    let baseURL: String
    let authorization: String
    let http: any HTTPClient
    let clock: any TimeSource

    init(baseURL: String, keyID: String, keySecret: String, http: any HTTPClient, clock: any TimeSource) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        authorization = "Basic " + Data("\(keyID):\(keySecret)".utf8).base64EncodedString()
        self.http = http
        self.clock = clock
    }

    /// The call's details; throws `CloudTalkAPIError` (CloudTalk refused) or `OutboundHTTPError` (transport).
    func call(id: String) async throws -> CallDetails {
        let escaped = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
        var request = OutboundRequest.get("\(baseURL)/calls/\(escaped)")
        request.headers.set("Authorization", authorization)
        request.headers.set("Accept", "application/json")
        request.timeout = .seconds(15)
        let response = try await http.send(request)
        guard response.isSuccess else { throw CloudTalkAPIError.from(response, now: clock.nowMillis) }
        guard let details = CallDetails(body: response.body) else {
            throw CloudTalkAPIError(httpStatus: response.status, message: "the answer is not a call's details", isRetryable: false)
        }
        return details
    }
}

/// A call CloudTalk's API refused, by HTTP status: 429 waits until the reset time, 5xx retries,
/// 401/403 (keys wrong) and 404 (no such call) do not.
struct CloudTalkAPIError: Error, RetryAdvising, CustomStringConvertible, Sendable {
    var httpStatus: Int
    var message: String
    var isRetryable: Bool
    var retryAfter: ConfigDuration?

    var description: String { "cloudtalk api http \(httpStatus): \(message)" }

    static func from(_ response: OutboundResponse, now: Int64) -> CloudTalkAPIError {
        let object = try? JSONText.decode(JSONDocument.self, from: response.body).objectValue
        let detail = object?["responseData"]?.objectValue?["message"]?.stringValue ?? object?["message"]?.stringValue
        let message = String((detail ?? "http status \(response.status)").prefix(300))
        var error = CloudTalkAPIError(httpStatus: response.status, message: message,
                                      isRetryable: response.status == 429 || response.isTransientFailure)
        if response.status == 429 {
            // `X-CloudTalkAPI-ResetTime` is a Unix time in seconds; no Retry-After is sent.
            if let reset = response.headers["x-cloudtalkapi-resettime"].flatMap({ Int64($0.trimmingASCIIWhitespace()) }) {
                error.retryAfter = ConfigDuration(milliseconds: max(1000, reset * 1000 - now))
            } else {
                error.retryAfter = response.retryAfter ?? .seconds(60)
            }
        }
        return error
    }
}
