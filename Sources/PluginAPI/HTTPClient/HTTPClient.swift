/// Outbound HTTP for plugins (`context.http`).
///
/// `send` throws `OutboundHTTPError` only for transport failures (could not connect, timed
/// out, TLS, response over the size cap, invalid URL or request) and `CancellationError` when
/// the calling task is cancelled. An HTTP error status (4xx, 5xx) is a response, returned like
/// any other: look at `status`, `isTransientFailure` and `retryAfter`, or call `sendChecked`.
///
/// Implementations never block the caller's thread, follow no redirects unless the request
/// asks, apply the request's timeouts and size cap (or the client's defaults), and never put
/// a header value, the query string or the userinfo of a URL in an error or a log line.
public protocol HTTPClient: Sendable {
    /// Sends one request and returns the final response, whatever its status. Performs
    /// network I/O; safe to call concurrently from any task.
    func send(_ request: OutboundRequest) async throws -> OutboundResponse
}

extension HTTPClient {
    /// Sends one request and returns the response when its status is 2xx; otherwise throws an
    /// `OutboundHTTPError` of kind `.status(code)`, retryable when the status is a transient
    /// failure (429, 5xx except 501 and 505), carrying the response's `retryAfter` and the
    /// response itself (for its body). Transport failures throw as in `send`.
    public func sendChecked(_ request: OutboundRequest) async throws -> OutboundResponse {
        let response = try await send(request)
        guard (200...299).contains(response.status) else {
            throw OutboundHTTPError(.status(response.status), request: request, "unexpected http status \(response.status)",
                                    retryable: response.isTransientFailure, retryAfter: response.retryAfter, response: response)
        }
        return response
    }
}
